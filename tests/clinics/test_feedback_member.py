"""Feedback names a member only within the caller's scope (issue 9, item 8): a peer educator
her own members, an admin any existing one; anyone else's member, a member who does not exist
or one whose data was erased is a 422 on `member_id`, and nothing is recorded."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from clinics import services
from clinics.models import ClinicFeedback
from core.errors import ValidationFailed
from core.extensions import db


@pytest.fixture
def member_of(app):
    """A member registered by a peer educator (committed)."""
    from referrals.services import members

    numbers = iter(range(1000, 9999))

    def make(peer):
        member = members.register_member(
            actor=peer, phone=f"0171234{next(numbers)}", language="bn", sms_consent=True
        )
        db.session.commit()
        return member

    return make


def _post(client, clinic_id: int, headers: dict, member_id: int | None):
    body = {"visited_on": date.today().isoformat(), "respectful": True, "member_id": member_id}
    return client.post(f"/api/v1/clinics/{clinic_id}/feedback", json=body, headers=headers)


def _recorded() -> list[int | None]:
    return list(db.session.scalars(sa.select(ClinicFeedback.member_id)))


def test_a_peer_educator_names_her_own_member(client, api_headers, make_user, clinic, member_of):
    peer = make_user("peer_educator")
    mine = member_of(peer)
    response = _post(client, clinic().id, api_headers(user=peer), mine.id)
    assert response.status_code == 201, response.json
    assert _recorded() == [mine.id]


def test_another_peer_educators_member_is_422(client, api_headers, make_user, clinic, member_of):
    theirs = member_of(make_user("peer_educator"))
    response = _post(client, clinic().id, api_headers("peer_educator"), theirs.id)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"member_id"}
    assert _recorded() == []


@pytest.mark.parametrize("role", ["peer_educator", "admin"])
def test_a_member_who_does_not_exist_is_422(client, api_headers, clinic, role):
    response = _post(client, clinic().id, api_headers(role), 999_999)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"member_id"}
    assert _recorded() == []


def test_an_admin_names_any_existing_member(client, api_headers, make_user, clinic, member_of):
    someone = member_of(make_user("peer_educator"))
    response = _post(client, clinic().id, api_headers("admin"), someone.id)
    assert response.status_code == 201
    assert _recorded() == [someone.id]


def test_an_anonymised_member_is_not_named_again(make_user, clinic, member_of):
    from referrals.services import members

    peer = make_user("peer_educator")
    erased = member_of(peer)
    members.anonymise(erased, actor=peer)
    db.session.commit()
    with pytest.raises(ValidationFailed) as exc:
        services.record_feedback(
            clinic().id, peer, visited_on=date.today(), respectful=True, member_id=erased.id
        )
    assert set(exc.value.fields) == {"member_id"}


def test_the_service_holds_the_rule(make_user, clinic, member_of):
    theirs = member_of(make_user("peer_educator"))
    with pytest.raises(ValidationFailed):
        services.record_feedback(
            clinic().id,
            make_user("peer_educator"),
            visited_on=date.today(),
            respectful=True,
            member_id=theirs.id,
        )
