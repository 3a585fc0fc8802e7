"""Step 3 of a new referral starts near her: her own district before she chooses one, nearest
first when a location is known; "near me" and the filter land on the results, not above them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from accounts.services import set_district
from core.extensions import db


def names(html: str) -> list[str]:
    return re.findall(r"<strong>(Clinic [A-Z][a-z]+)</strong>", html)


@pytest.fixture
def world(login_as, new_member, clinic_with):
    pe = login_as("peer_educator")
    set_district(pe, "Khulna", actor=pe)
    db.session.commit()
    clinic_with(name="Clinic Dhaka", district="Dhaka", latitude=23.81, longitude=90.41)
    clinic_with(name="Clinic Khulna", district="Khulna", latitude=22.82, longitude=89.55)
    clinic_with(name="Clinic Jashore", district="Jashore", latitude=23.17, longitude=89.21)
    return new_member(pe)


def url(member, **args) -> str:
    query = [("services", "hiv_testing"), ("urgency", "routine"), *args.items()]
    return f"/referrals/new/{member.id}/where?" + urlencode(query)


def test_it_starts_in_her_own_district(client, world):
    html = client.get(url(world)).get_data(as_text=True)
    assert names(html) == ["Clinic Khulna"]
    assert '<option value="Khulna" selected>' in html


def test_every_district_when_she_chooses_so(client, world):
    html = client.get(url(world, district="")).get_data(as_text=True)
    assert sorted(names(html)) == ["Clinic Dhaka", "Clinic Jashore", "Clinic Khulna"]


def test_nearest_first_when_her_location_is_known(client, world):
    html = client.get(url(world, near="23.10,89.20")).get_data(as_text=True)  # near Jashore
    assert names(html) == ["Clinic Jashore", "Clinic Khulna", "Clinic Dhaka"]
    assert "Nearest first" in html


def test_no_clinic_in_her_district_offers_a_way_out(client, world, login_as):
    html = client.get(url(world, district="Sylhet")).get_data(as_text=True)
    assert names(html) == [] and "Show all districts" in html
    link = re.search(r'href="([^"]+)#results">Show all districts', html).group(1)
    assert "district=&amp;" in link or link.endswith("district=")
    assert "services=hiv_testing" in link


def test_the_filter_and_the_choice_land_on_the_results(client, world):
    html = client.get(url(world)).get_data(as_text=True)
    assert 'id="results"' in html
    assert re.search(r'<form method="get" action="[^"]*#results"[^>]*id="where-filter"', html)
    assert re.search(r'<form method="post" action="[^"]*#results"', html)


def test_the_directory_search_lands_on_its_results(client, world):
    html = client.get("/clinics?district=Khulna").get_data(as_text=True)
    assert 'id="results"' in html
    assert re.search(r'<form method="get" action="[^"]*#results"[^>]*id="clinic-search"', html)
