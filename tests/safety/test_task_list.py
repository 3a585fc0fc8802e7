"""The peer educator's home: her open incidents that still need help (safety fills referrals'
task list through the registry's hook), the "Something happened to her" button, "Help now",
and "Record an incident" on a member's page."""

from __future__ import annotations

import re
from datetime import timedelta

from referrals.services import tasks
from tests.support.incidents import SECRET_AREA, SECRET_DESCRIPTION, record, register, today
from tests.support.visible_text import problems, raw_codes, typed_data


def _section_ids(pe):
    sections = tasks.task_list(pe).sections
    return [[item.args["incident_id"] for item in s.items] for s in sections]


def test_her_open_incidents_needing_help_newest_first(make_user):
    amina, beauty = make_user("peer_educator"), make_user("peer_educator")
    older = record(amina, occurred_on=(today() - timedelta(days=3)).isoformat())
    newer = record(amina, occurred_on=(today() - timedelta(days=1)).isoformat())
    record(amina, needs_help_now=False)  # open, but no help needed
    closed = record(amina)
    record(beauty)  # another peer educator's
    from core.extensions import db
    from safety.services.incidents import close_incident

    close_incident(closed, amina)
    db.session.commit()
    assert _section_ids(amina) == [[newer.id, older.id]]
    assert _section_ids(beauty) != [] and newer.id not in _section_ids(beauty)[0]


def test_no_section_when_nothing_needs_help(make_user):
    amina = make_user("peer_educator")
    record(amina, needs_help_now=False)
    assert tasks.task_list(amina).sections == []


def test_closing_takes_it_off_the_list(make_user):
    from core.extensions import db
    from safety.services.incidents import close_incident

    amina = make_user("peer_educator")
    incident = record(amina)
    assert _section_ids(amina) == [[incident.id]]
    close_incident(incident, amina)
    db.session.commit()
    assert tasks.task_list(amina).sections == []


def test_the_home_lists_them_in_words_never_the_description(client, login_as, make_user):
    amina = login_as("peer_educator")
    mine = record(amina, district="Chattogram", violations=["extortion", "threat"])
    other = record(make_user("peer_educator"))
    html = client.get("/tasks").get_data(as_text=True)
    assert "Incidents that still need help (1)" in html
    assert f'href="/safety/incidents/{mine.id}"' in html
    assert f'href="/safety/incidents/{other.id}"' not in html
    assert "Chattogram · Extortion, Threat" in html
    assert SECRET_DESCRIPTION not in html and SECRET_AREA not in html
    assert "extortion" not in html  # words, not codes


def test_the_home_has_the_big_button_and_help_now(client, login_as):
    login_as("peer_educator")
    html = client.get("/tasks").get_data(as_text=True)
    button = re.search(
        r'<a class="button big danger" href="([^"]+)">Something happened to her', html
    )
    assert button and button.group(1) == "/safety/incidents/new"
    assert 'href="/safety/help">Help now</a>' in html
    # It comes before the rest of the home: one tap, no scrolling.
    assert html.index("Something happened to her") < html.index("New referral")
    assert "Incidents that still need help" not in html  # nothing to show, no section


def test_the_home_in_bangla(app, client, login_as):
    amina = login_as("peer_educator", language="bn")
    record(amina)
    html = client.get("/tasks").get_data(as_text=True)
    assert "এখনো সাহায্য দরকার" in html and "(১)" in html
    assert "Something happened to her" not in html
    assert problems(html, bangla=True, codes=raw_codes(app), data=typed_data()) == []


def test_the_member_page_records_an_incident_for_her(client, login_as):
    amina = login_as("peer_educator")
    member = register(amina)
    html = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert f'href="/safety/incidents/new?member={member.id}">Record an incident</a>' in html
    form = client.get(f"/safety/incidents/new?member={member.id}")
    assert form.status_code == 200


def test_an_admin_home_has_no_one_elses_incidents(client, login_as, make_user):
    login_as("admin")
    record(make_user("peer_educator"))
    html = client.get("/tasks").get_data(as_text=True)
    assert "Incidents that still need help" not in html
