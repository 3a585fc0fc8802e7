"""The migration to plain texts: stored Jinja edits become one plain text per case, or are
dropped (the default applies again, and the log says which); downgrade joins them back."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core import create_app
from core.extensions import db
from notifications.texts.catalog import load_default_template
from tests.support.db import base_config

BEFORE, PLAIN = "4b2e1d0a3f02", "5c3f2e1b4a03"
# The defaults as they were stored before (the files of templates/sms/ until this change).
OLD_REFERRAL_EN = (
    "{% if time %}Your visit at {{ place }}: {{ day }}, {{ time }}. Show code {{ code }}."
    "{% else %}Your code for {{ place }}: {{ code }}. Ask your apa for a time.{% endif %}"
)
OLD_SHARED_BN = (
    "{% if time %}{{ day }}, {{ time }}। কোড {{ code }}{% elif due_day %}{{ due_day }}। কোড "
    "{{ code }}{% else %}কোড {{ code }}{% endif %}"
)
OLD_SHARED_EN = (
    "{% if time %}{{ day|capfirst }}, {{ time }}. Code {{ code }}.{% elif due_day %}"
    "{{ due_day|capfirst }}. Code {{ code }}.{% else %}Code {{ code }}.{% endif %}"
)
STORED = [
    ("referral_created", "en", False, OLD_REFERRAL_EN),
    ("reminder_2h", "en", False, "{{ day|capfirst }} {{ time }} at {{ place }}. Code {{ code }}."),
    ("reminder_24h", "bn", True, OLD_SHARED_BN),
    ("follow_up_due", "en", True, OLD_SHARED_EN),
    ("referral_created", "bn", True, OLD_SHARED_BN),
    # What a plain text cannot say: dropped, so the default applies again.
    ("reminder_24h", "en", False, "{{ day|upper }} {{ time }}. {{ code }}"),
    ("missed_appointment", "en", False, "Miss {% for x in code %}{{ x }}{% endfor %}"),
    ("appointment_changed", "en", False, "At {{ day|capfirst }} {{ time }}. {{ code }}"),
    ("follow_up_due", "en", False, "{{ due_day }} at {{ place }}. {{ code }}"),
    ("missed_appointment", "bn", False, "{ {{ code }} }"),
]


def _rows(where: str = "") -> dict:
    rows = db.session.execute(sa.text(f"SELECT * FROM sms_templates {where}")).mappings().all()
    return {(r["kind"], r["variant"], r["lang"]): r["source"] for r in rows}


def test_stored_edits_become_plain_texts_per_case_and_back(empty_database, tmp_path, capfd):
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade(revision=BEFORE)
        for kind, lang, shared, source in STORED:
            db.session.execute(
                sa.text(
                    "INSERT INTO sms_templates (kind, lang, shared_phone, source, updated_at) "
                    "VALUES (:kind, :lang, :shared, :source, :at)"
                ),
                {"kind": kind, "lang": lang, "shared": shared, "source": source,
                 "at": datetime(2026, 11, 1, tzinfo=UTC)},
            )  # fmt: skip
        db.session.commit()
        capfd.readouterr()
        upgrade(revision=PLAIN)
        log = capfd.readouterr().err.splitlines()
        plain = _rows()
        assert plain == {
            ("referral_created", "appointment", "en"): load_default_template(
                "referral_created", "en", "appointment"
            ),
            ("referral_created", "no_appointment", "en"): load_default_template(
                "referral_created", "en", "no_appointment"
            ),
            ("reminder_2h", "appointment", "en"): "{day} {time} at {place}. Code {code}.",
            ("reminder_24h", "shared_appointment", "bn"): "{day}, {time}। কোড {code}",
            ("follow_up_due", "shared_follow_up", "en"): "{due_day}. Code {code}.",
            ("referral_created", "shared_appointment", "bn"): "{day}, {time}। কোড {code}",
            ("referral_created", "shared_no_appointment", "bn"): "কোড {code}",
        }
        dropped = {line.split()[4] for line in log if "cannot be converted" in line}
        assert dropped == {
            "reminder_24h/appointment/en",
            "missed_appointment/appointment/en",
            "appointment_changed/appointment/en",
            "follow_up_due/follow_up/en",
            "missed_appointment/appointment/bn",
        }
        db.session.commit()
        downgrade(revision=BEFORE)
        rows = db.session.execute(sa.text("SELECT * FROM sms_templates")).mappings().all()
        back = {(r["kind"], r["lang"], bool(r["shared_phone"])): r["source"] for r in rows}
        assert back == {
            ("referral_created", "en", False): OLD_REFERRAL_EN,
            ("reminder_2h", "en", False): STORED[1][3],
            # capfirst where a sentence starts, as the plain renderer does (Bangla has no case).
            ("reminder_24h", "bn", True): "{{ day|capfirst }}, {{ time }}। কোড {{ code }}",
            ("follow_up_due", "en", True): "{{ due_day|capfirst }}. Code {{ code }}.",
            ("referral_created", "bn", True): (
                "{% if time %}{{ day|capfirst }}, {{ time }}। কোড {{ code }}"
                "{% else %}কোড {{ code }}{% endif %}"
            ),
        }
        db.session.commit()
        upgrade()
        db.engine.dispose()
