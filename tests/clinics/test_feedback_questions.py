"""The feedback form's optional questions (asked for ID, asked to pay, kept private): the page,
the API and the directory's summary accept and show them; null is "not asked"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinics.models import ClinicFeedback
from core.db import utcnow
from core.extensions import db
from tests.support.factories import DHAKA_POINT


@pytest.fixture
def alpha(clinic):
    return clinic(name="Alpha Centre", latitude=DHAKA_POINT[0], longitude=DHAKA_POINT[1])


def _answers():
    rows = db.session.scalars(sa.select(ClinicFeedback).order_by(ClinicFeedback.id)).all()
    return [(r.asked_for_id, r.charged, r.kept_private) for r in rows]


def test_the_page_records_yes_no_and_not_asked(client, login_as, alpha):
    login_as("peer_educator")
    today = utcnow().date().isoformat()
    base = {"visited_on": today, "respectful": "yes"}
    for answers in (
        {"asked_for_id": "yes", "charged": "no", "kept_private": "yes"},
        {"asked_for_id": "no", "charged": "", "kept_private": "no"},
        {},  # an older form, or questions skipped
    ):
        response = client.post(f"/clinics/{alpha.id}/feedback/new", data={**base, **answers})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert _answers() == [(True, False, True), (False, None, False), (None, None, None)]
    bad = client.post(f"/clinics/{alpha.id}/feedback/new", data={**base, "charged": "maybe"})
    assert bad.status_code == 200 and 'class="field-error"' in bad.get_data(as_text=True)
    assert len(_answers()) == 3


def test_the_form_asks_in_bangla(client, login_as, alpha):
    login_as("peer_educator", language="bn")
    html = client.get(f"/clinics/{alpha.id}/feedback/new").get_data(as_text=True)
    assert "পরিচয়পত্র দেখাতে বলা হয়েছিল" in html
    assert "টাকা চাওয়া হয়েছিল" in html
    assert "গোপন রাখা হয়েছিল" in html
    assert "জিজ্ঞেস করা হয়নি" in html
    assert "Not asked" not in html


def test_the_api_takes_them_and_the_directory_summarises_them(client, api_headers, alpha):
    headers = api_headers()
    url = f"/api/v1/clinics/{alpha.id}/feedback"
    base = {"visited_on": "2026-11-20", "respectful": True}
    bodies = [  # asked for ID: 2 yes of 5 asked; asked to pay: 4 asked; kept private: 5 yes
        {"asked_for_id": True, "charged": False, "kept_private": True},
        {"asked_for_id": True, "charged": True, "kept_private": True},
        {"asked_for_id": False, "charged": False, "kept_private": True},
        {"asked_for_id": False, "charged": None, "kept_private": True},
        {"asked_for_id": False, "charged": False, "kept_private": True},
        {},
    ]
    for body in bodies:
        response = client.post(url, json={**base, **body}, headers=headers)
        assert response.status_code == 201, response.get_json()
    feedback = client.get(f"/api/v1/clinics/{alpha.id}", headers=headers).get_json()["feedback"]
    assert feedback == {
        "count": 6,
        "respectful_share": 1.0,
        "asked_for_id_share": 0.4,
        "charged_share": None,  # asked of four reports only
        "kept_private_share": 1.0,
    }
    listed = client.get("/api/v1/clinics", headers=headers).get_json()["items"][0]["feedback"]
    assert listed == feedback  # the directory's list says the same
    bad = client.post(url, json={**base, "charged": "yes please"}, headers=headers)
    assert bad.status_code == 422 and "charged" in bad.get_json()["error"]["fields"]


@pytest.fixture
def five(alpha, make_user):
    from clinics.services import record_feedback

    peer = make_user("peer_educator")
    for n in range(5):
        record_feedback(
            alpha.id,
            peer,
            visited_on=utcnow().date(),
            respectful=True,
            answers={"asked_for_id": n < 1, "charged": None, "kept_private": n < 4},
        )
    db.session.commit()
    return alpha


def test_the_clinic_page_shows_them_in_bangla(client, login_as, five):
    alpha = five
    login_as("viewer", language="bn")
    html = client.get(f"/clinics/{alpha.id}").get_data(as_text=True)
    assert "২০% জনকে পরিচয়পত্র দেখাতে বলা হয়েছে" in html
    assert "৮০% জন বলেছেন তাঁদের সেবা নেওয়ার কথা গোপন রাখা হয়েছে" in html
    assert "টাকা চাওয়া" not in html  # not asked: nothing to say


def test_the_admins_list_shows_them(client, login_as, five):
    alpha = five
    login_as("admin")
    html = client.get(f"/clinics/{alpha.id}/feedback").get_data(as_text=True)
    assert "Asked for ID" in html and "Kept private" in html and "not asked" in html


def test_an_unknown_question_is_refused(app, alpha, make_user):
    from clinics.services import record_feedback
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        record_feedback(
            alpha.id, make_user("peer_educator"), visited_on=utcnow().date(), respectful=True,
            answers={"asked_for_money": True, "charged": "yes"},
        )  # fmt: skip
    assert set(caught.value.fields) == {"asked_for_money", "charged"}
