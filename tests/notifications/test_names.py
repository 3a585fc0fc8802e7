"""The names the SMS pages show come from the sources clinics and accounts register, not from
notifications reading their tables."""

from __future__ import annotations

from flask import Flask

from core.registry import init_registry
from notifications import names
from tests.support.factories import make_clinic, make_user


def test_the_filters_offer_clinics_and_peer_educators_by_name(app):
    clinic = make_clinic(name="Zeta Centre")
    first = make_clinic(name="Alpha Centre")
    educator = make_user("peer_educator", display_name="Rupa")
    make_user("admin", display_name="Admin")
    assert names.choices("clinic")[:2] == [(first.id, "Alpha Centre"), (clinic.id, "Zeta Centre")]
    educators = names.choices("peer_educator")
    assert (educator.id, "Rupa") in educators
    assert all(name != "Admin" for _, name in educators)


def test_a_lookup_by_id_names_any_user_and_any_clinic(app):
    admin = make_user("admin", display_name="Admin")  # e.g. a peer educator since promoted
    clinic = make_clinic(name="Ashar Alo")
    assert names.name_of("peer_educator", admin.id) == "Admin"
    assert names.name_of("clinic", clinic.id) == "Ashar Alo"
    assert names.name_of("clinic", None) is None
    assert "Ashar Alo" in names.all_names("clinic")


def test_a_kind_nobody_registered_has_no_names():
    bare = Flask("bare")
    init_registry(bare)
    with bare.app_context():
        assert names.choices("clinic") == [] and names.all_names("clinic") == []
        assert names.name_of("clinic", 1) is None
