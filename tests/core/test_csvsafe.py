"""The shared CSV helper: formula-like cells are quoted with ' and the quote comes off again."""

import csv
import io

import pytest

from core import csvsafe


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_quoted_and_restored(start):
    text = f"{start}HYPERLINK(1)"
    assert csvsafe.escape_cell(text) == "'" + text
    assert csvsafe.unescape_cell(csvsafe.escape_cell(text)) == text


@pytest.mark.parametrize(
    "text", ["", "plain", "'plain", "''", "'=x", "''=x", "'", "a=b", "৫ জন", "-"]
)
def test_every_text_survives_the_round_trip(text):
    assert csvsafe.unescape_cell(csvsafe.escape_cell(text)) == text


def test_a_quote_of_our_own_is_never_taken_from_data():
    assert csvsafe.unescape_cell("'plain") == "'plain"  # hand-written, not ours
    assert csvsafe.escape_cell(None) == "" and csvsafe.escape_cell(-3) == "'-3"


def test_writer_quotes_every_cell():
    out = io.StringIO()
    csvsafe.writer(out, lineterminator="\n").writerows([["=1", "ok", None], [1.5, "@me", "\tx"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1", "ok", ""],
        ["1.5", "'@me", "'\tx"],
    ]
