"""The slip has a heading, a Print button (a script file shows it) and a Done link; every
scrollable table can be reached with the keyboard and no table header is empty (axe-core's
page-has-heading-one, scrollable-region-focusable and empty-table-header)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.clock import local_at

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_slip_has_a_heading_a_print_button_and_a_done_link(
    client, login_as, new_member, new_referral
):
    pe = login_as("peer_educator")
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(1))
    html = client.get(f"/referrals/{referral.code}/slip").get_data(as_text=True)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert re.search(r'<button type="button" id="print-slip" hidden>Print</button>', html)
    assert re.search(r'<a class="button secondary" href="/">Done</a>', html)
    assert re.search(r'<script src="[^"]*js/print-slip[^"]*\.js" defer></script>', html)
    assert "<script>" not in html  # no inline script (the CSP forbids it)


def test_scroll_wrappers_are_keyboard_regions_with_a_name():
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', path.read_text()):
            assert 'tabindex="0"' in tag and 'role="region"' in tag, (path, tag)
            assert re.search(r'aria-label="[^"]+"', tag), (path, tag)


def test_no_table_header_is_empty():
    for path in TEMPLATES.rglob("*.html"):
        assert not re.search(r"<th(\s[^>]*)?>\s*</th>", path.read_text()), path


def test_the_slips_address_has_no_empty_parts(client, login_as, new_member, new_referral):
    """A clinic without an address or area shows only its district (no stray ", ")."""
    from core.extensions import db

    pe = login_as("peer_educator")
    referral = new_referral(pe, new_member(pe), appointment_at=local_at(1))
    referral.clinic.address, referral.clinic.area = "", ""
    db.session.commit()
    html = client.get(f"/referrals/{referral.code}/slip").get_data(as_text=True)
    line = re.search(r"</strong><br>([^<]*)</p>", html).group(1)
    assert line.strip() == referral.clinic.district
