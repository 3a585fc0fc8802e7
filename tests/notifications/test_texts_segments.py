"""Segment counting: GSM-7 with its extension table, UCS-2 for everything else."""

import pytest

from notifications.texts.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments, is_gsm7


def test_plain_ascii_is_one_gsm_segment() -> None:
    info = count_segments("Code K7P2-QX9M.")
    assert (info.encoding, info.characters, info.units, info.segments) == ("GSM-7", 15, 15, 1)
    assert info.per_segment == 160
    assert info.remaining == 145
    assert info.non_gsm == ()


def test_empty_text_costs_nothing() -> None:
    info = count_segments("")
    assert (info.units, info.segments, info.remaining) == (0, 0, 160)


def test_whole_basic_charset_stays_gsm() -> None:
    text = "".join(sorted(GSM7_BASIC))
    info = count_segments(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(GSM7_BASIC) == 127  # 128 positions less ESC
    assert is_gsm7(text)


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_extension_characters_count_two(char: str) -> None:
    info = count_segments(f"a{char}b")
    assert info.encoding == "GSM-7"
    assert (info.characters, info.units) == (3, 4)


def test_extension_table_is_exactly_the_documented_one() -> None:
    assert set("^{}\\[~]|€\f") == GSM7_EXTENSION


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"),
    [(1, 1, 160), (160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153), (459, 3, 153)],
)
def test_gsm_boundaries(length: int, segments: int, per_segment: int) -> None:
    info = count_segments("a" * length)
    assert (info.segments, info.per_segment) == (segments, per_segment)


def test_extension_character_can_tip_over_160() -> None:
    assert count_segments("a" * 158 + "€").segments == 1  # 160 septets
    info = count_segments("a" * 159 + "€")  # 161 septets
    assert (info.units, info.segments) == (161, 2)


def test_escape_sequence_is_not_split_across_parts() -> None:
    # 306 septets would fill two parts of 153 exactly, but the € (ESC + e) would straddle the
    # first boundary, so it moves to the second part and the tail spills into a third.
    text = "a" * 152 + "€" + "a" * 152
    info = count_segments(text)
    assert info.units == 306
    assert info.segments == 3
    assert info.remaining == 153 - 1


def test_remaining_in_last_part() -> None:
    assert count_segments("a" * 200).remaining == 153 * 2 - 200


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"),
    [(70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67), (201, 3, 67), (202, 4, 67)],
)
def test_ucs2_boundaries(length: int, segments: int, per_segment: int) -> None:
    info = count_segments("আ" * length)
    assert info.encoding == "UCS-2"
    assert (info.units, info.segments, info.per_segment) == (length, segments, per_segment)


def test_one_non_gsm_character_makes_the_whole_text_ucs2() -> None:
    info = count_segments("a" * 100 + "ç")  # Ç is GSM-7, ç is not
    assert info.encoding == "UCS-2"
    assert info.non_gsm == ("ç",)
    assert (info.units, info.segments) == (101, 2)


def test_non_gsm_lists_distinct_characters_in_order() -> None:
    assert count_segments("কোড কোড “x”").non_gsm == ("ক", "ো", "ড", "“", "”")


def test_emoji_outside_the_bmp_counts_two_code_units() -> None:
    info = count_segments("😀")
    assert (info.encoding, info.characters, info.units) == ("UCS-2", 1, 2)
    assert count_segments("😀" * 35).segments == 1  # 70 code units
    assert count_segments("😀" * 35 + "a").segments == 2


def test_surrogate_pair_is_not_split_across_parts() -> None:
    text = "আ" * 66 + "😀" + "আ" * 66  # 134 units = 2 x 67, but the pair would straddle
    info = count_segments(text)
    assert info.units == 134
    assert info.segments == 3


def test_bangla_counts_code_units_not_graphemes() -> None:
    # "সময়" shows three letters; in NFC its য় is য + nukta, so it costs four code units.
    info = count_segments("\u09b8\u09ae\u09af\u09bc")
    assert (info.characters, info.units) == (4, 4)
    assert count_segments("\u09b8\u09ae\u09df").units == 3  # precomposed য় (not NFC)
