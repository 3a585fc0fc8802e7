"""`flask users create`: a clinic id no column can hold is a clear usage error, not a crash."""

import pytest

from accounts.models import User
from core.extensions import db
from tests.support.db import PASSWORD


@pytest.mark.parametrize("clinic_id", ["99999999999", "2147483648", "0", "-1"])
def test_create_refuses_a_clinic_id_out_of_range(runner, clinic_id):
    args = ["users", "create", "--email", "cp@example.org", "--role", "clinic_partner"]
    result = runner.invoke(args=[*args, "--clinic-id", clinic_id, "--password", PASSWORD])
    assert result.exit_code == 2, result.output  # click's usage error
    assert "--clinic-id" in result.output
    db.session.rollback()
    assert db.session.query(User).filter_by(email="cp@example.org").count() == 0


def test_create_with_a_clinic_that_exists(runner, make_clinic):
    clinic = make_clinic()
    args = ["users", "create", "--email", "cp2@example.org", "--role", "clinic_partner"]
    result = runner.invoke(args=[*args, "--clinic-id", str(clinic.id), "--password", PASSWORD])
    assert result.exit_code == 0, result.output
