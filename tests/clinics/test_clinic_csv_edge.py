"""`clinics import` meets what a file may hold but no column can (issue 9, item 5): digits that
are not ASCII in `id`, NUL in a cell. A line-numbered error, never a crash."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from clinics.models import Clinic
from core.extensions import db

HEADER = ["id", "name", "sms_alias", "district", "services"]


def _import(runner, tmp_path, row: list[str]):
    path = tmp_path / "clinics.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, row])
    return runner.invoke(args=["clinics", "import", str(path)])


@pytest.mark.parametrize("clinic_id", ["²", "১", "9" * 5000])
def test_an_id_that_is_not_ascii_digits_is_a_line_error(runner, catalogue, tmp_path, clinic_id):
    result = _import(runner, tmp_path, [clinic_id, "A Centre", "A Point", "Dhaka", "sti"])
    assert isinstance(result.exception, SystemExit), result.exception  # a refusal, not a crash
    assert "line 2: id" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 0


@pytest.mark.parametrize("column", [1, 2])
def test_nul_in_a_cell_is_a_line_error(runner, catalogue, tmp_path, column):
    row = ["", "A Centre", "A Point", "Dhaka", "sti"]
    row[column] = row[column] + "\x00"
    result = _import(runner, tmp_path, row)
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"line 2: {HEADER[column]}" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 0
