"""How many SQL statements a directory search costs: counted, never timed, so it cannot creep
back up (the 10,000-clinic latency is bench/clinics_search.py's job)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from clinics import services
from clinics.services import search
from core.errors import ValidationFailed
from core.extensions import db
from tests.support.factories import DHAKA_POINT

WEEK = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
WEDNESDAY_NOON = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 12:00 in Dhaka


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def directory(clinic):
    """Twelve clinics around Dhaka, each offering PrEP and STI care, open every day."""
    for n in range(12):
        clinic(
            name=f"Centre {n:02d}",
            latitude=DHAKA_POINT[0] + 0.01 * n,
            longitude=DHAKA_POINT[1] + 0.01 * n,
            services=["prep", "sti"],
            attributes=["walk_in"],
            hours=WEEK,
        )
    db.session.expunge_all()  # nothing cached: each search loads what it shows


def test_a_filtered_search_is_two_statements(directory):
    with statements() as seen:
        page = services.search_clinics(
            services=["prep", "sti"],
            district="Dhaka",
            attributes=["walk_in"],
            open_at=WEDNESDAY_NOON,
            per_page=5,
        )
    assert page.total == 12 and len(page.items) == 5
    # The catalogue, then the page with its total, services and feedback: nothing per clinic.
    assert len(seen) == 2, seen
    assert "count(" in seen[1].lower()
    assert all(hit.clinic.service_codes == ["prep", "sti"] for hit in page.items)


def test_a_search_near_a_point_is_two_statements_when_the_first_box_fills_the_page(
    directory, monkeypatch
):
    monkeypatch.setattr(search, "PREFILTER_RADII_KM", (10.0, 40.0, 160.0))
    with statements() as seen:
        page = services.search_clinics(near=DHAKA_POINT, services=["prep"], per_page=5)
    assert page.total == 12
    assert [hit.clinic.name for hit in page.items] == [f"Centre {n:02d}" for n in range(5)]
    assert len(seen) == 2, seen


def test_a_small_directory_near_a_point_is_three_statements(directory):
    # The first box holds some clinics but not a page; the total (12) is small, so every
    # distance is computed next: the catalogue, the box, the whole list.
    with statements() as seen:
        page = services.search_clinics(near=DHAKA_POINT, per_page=20)
    assert page.total == 12 and len(page.items) == 12
    assert len(seen) == 3, seen
    assert all(hit.clinic.service_codes == ["prep", "sti"] for hit in page.items)


def test_a_sparse_search_near_a_point_stays_bounded(directory, monkeypatch):
    # No clinic within the first box: it costs one more try and a count, never one per clinic.
    monkeypatch.setattr(search, "PREFILTER_RADII_KM", (0.001, 0.002, 0.003))
    with statements() as seen:
        page = services.search_clinics(near=(24.0, 91.0), per_page=5)
    assert page.total == 12 and len(page.items) == 5
    assert len(seen) <= 5, seen


def test_no_match_is_two_statements(directory):
    with statements() as seen:
        page = services.search_clinics(services=["art"])
    assert page.total == 0 and page.items == []
    assert len(seen) == 2, seen  # the catalogue, the empty page: its total is 0, not counted


def test_feedback_is_summarised_from_five_reports(directory):
    from clinics.models import Clinic, ClinicFeedback

    first = db.session.scalar(sa.select(Clinic).order_by(Clinic.name))
    for n in range(5):
        db.session.add(
            ClinicFeedback(clinic_id=first.id, visited_on=WEDNESDAY_NOON.date(), respectful=n > 0)
        )
    db.session.commit()
    hits = services.search_clinics(per_page=2).items
    assert hits[0].feedback == {
        "count": 5, "respectful_share": 0.8, "asked_for_id_share": None, "charged_share": None,
        "kept_private_share": None,
    }  # fmt: skip
    assert hits[1].feedback is None  # fewer than five reports: nothing shown
    assert hits[0].feedback == services.feedback_summary(first.id)


def test_an_unknown_service_is_still_named(directory):
    with pytest.raises(ValidationFailed) as caught:
        services.search_clinics(services=["prep", "astrology"], district="Atlantis")
    assert set(caught.value.fields) == {"service", "district"}
    with pytest.raises(ValidationFailed) as caught:
        services.search_clinics(services=["astrology"])
    assert set(caught.value.fields) == {"service"}


def test_a_page_past_the_end_still_knows_the_total(directory):
    with statements() as seen:
        page = services.search_clinics(page=9, per_page=5)
    assert page.total == 12 and page.items == []
    assert len(seen) == 3, seen  # the page found nothing to carry the total: counted apart


def test_the_api_search_costs_two_statements_more_than_a_trivial_call(
    client, api_headers, directory
):
    headers = api_headers("peer_educator")
    client.get("/api/v1/me", headers=headers)  # warm: the first use of a token does more
    with statements() as trivial:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    query = (
        "/api/v1/clinics?service=prep&service=sti&district=Dhaka"
        "&open_at=2026-12-02T12:00&per_page=5"
    )
    with statements() as seen:
        response = client.get(query, headers=headers)
    assert response.status_code == 200 and len(response.json["items"]) == 5
    assert len(seen) == len(trivial) + 2, seen
