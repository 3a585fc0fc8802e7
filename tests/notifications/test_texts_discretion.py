"""The discretion check: no health, HIV or sex-work word, no clinic name, no nickname."""

import pytest

from notifications.texts.discretion import (
    BANGLA_FORBIDDEN_WORDS,
    ENGLISH_FORBIDDEN_WORDS,
    discretion_problems,
)

# The lists in UX.md ("SMS copy"), word for word.
UX_ENGLISH = (
    "HIV", "AIDS", "PrEP", "PEP", "ART", "STI", "STD", "sex", "sexual", "condom", "test",
    "result", "positive", "negative", "viral", "clinic", "hospital", "doctor",
)  # fmt: skip
UX_BANGLA = (
    "এইচআইভি", "এইডস", "যৌন", "কনডম", "পরীক্ষা", "ফলাফল", "পজিটিভ", "ক্লিনিক", "হাসপাতাল",
    "ডাক্তার",
)  # fmt: skip


@pytest.mark.parametrize("word", UX_ENGLISH)
def test_every_english_word_of_the_ux_list_is_caught(word: str) -> None:
    assert discretion_problems(f"Come {word} today")
    assert discretion_problems(f"Come {word.upper()} today")
    assert discretion_problems(f"{word.capitalize()}.")


@pytest.mark.parametrize("entry", ENGLISH_FORBIDDEN_WORDS)
def test_every_english_entry_is_caught(entry: str) -> None:
    word = entry.rstrip("*")
    problems = discretion_problems(f"See you: {word}, at 11:00.")
    assert len(problems) == 1
    assert word in problems[0].lower()


@pytest.mark.parametrize(
    "text",
    ["tests", "tested", "testing", "Results", "condoms", "STIs", "HIV+", "HIV-positive",
     "pregnancy", "pregnant", "abortion", "sexual", "sex-work", "sexworker", "clinical",
     "medicine", "counselling", "K7P2 PrEP", "ART.", "(art)", "Mr", "viral load",
     "family  planning"],
)  # fmt: skip
def test_inflections_and_stems_are_caught(text: str) -> None:
    assert discretion_problems(text)


@pytest.mark.parametrize(
    "text",
    ["start", "party", "Testament", "latest", "contest", "smart", "heart", "apartment",
     "artist", "pepper", "prepare", "stipend", "mistake", "Sussex", "Essex", "resultant",
     "aid", "departure", "hospitality", "protest", "attest", "Shapla Point",
     "Code K7P2-QX9M.", "Ask your apa for a new time.", "tomorrow 11:00", "Wed 2 Dec"],
)  # fmt: skip
def test_whole_words_only_for_latin_script(text: str) -> None:
    assert discretion_problems(text) == []


def test_latin_word_beside_bangla_letters_is_caught() -> None:
    # \b would treat Bangla letters as word characters; the check must not.
    assert discretion_problems("HIV-এর জন্য")
    assert discretion_problems("আপনার HIVর সময়")


def test_invisible_and_full_width_tricks_are_caught() -> None:
    assert discretion_problems("H\u200bIV")
    assert discretion_problems("con\u00addom")
    assert discretion_problems("ＨＩＶ")


@pytest.mark.parametrize("word", UX_BANGLA)
def test_every_bangla_word_of_the_ux_list_is_listed_and_caught(word: str) -> None:
    assert word in BANGLA_FORBIDDEN_WORDS
    assert discretion_problems(f"আজ {word} আছে")


@pytest.mark.parametrize("word", BANGLA_FORBIDDEN_WORDS)
def test_bangla_words_match_anywhere(word: str) -> None:
    # Bangla glues suffixes and compounds on: any occurrence counts, even inside a word.
    problems = discretion_problems(f"আপনার{word}ের সময়")
    assert len(problems) == 1
    assert word in problems[0]


@pytest.mark.parametrize(
    "text", ["যৌনকর্মী", "এইচআইভির", "গর্ভপাত", "গর্ভবতী", "চিকিৎসক", "হাসপাতালে", "ওষুধের"]
)
def test_bangla_compounds_and_suffixes_are_caught(text: str) -> None:
    assert discretion_problems(text)


def test_no_bangla_entry_contains_another() -> None:
    # Otherwise one word would be reported twice.
    for word in BANGLA_FORBIDDEN_WORDS:
        others = [other for other in BANGLA_FORBIDDEN_WORDS if other != word]
        assert not any(word in other for other in others), word


def test_ux_english_words_are_covered_by_the_list() -> None:
    listed = {entry.rstrip("*") for entry in ENGLISH_FORBIDDEN_WORDS}
    for word in UX_ENGLISH:
        assert word.lower() in listed or any(word.lower().startswith(s) for s in listed), word


@pytest.mark.parametrize(
    "text",
    ["আজ সকাল ১১টা, Shapla Point। কোড K7P2-QX9M", "আপনাকে পাইনি। নতুন সময়ের জন্য আপাকে বলুন।",
     "মনে রাখবেন: কাল", "আবার যাওয়ার সময়"],
)  # fmt: skip
def test_ordinary_bangla_passes(text: str) -> None:
    assert discretion_problems(text) == []


def test_clinic_name_is_caught_case_and_space_insensitively() -> None:
    problems = discretion_problems("See you at marie  STOPES Mirpur", clinic_names=["Marie Stopes"])
    assert problems == ['names the clinic ("Marie Stopes"); use its SMS alias']


def test_clinic_name_is_a_substring_match() -> None:
    assert discretion_problems("Ashar Alo-তে আসুন", clinic_names=["Ashar Alo"])
    assert discretion_problems("আশার আলোতে আসুন", clinic_names=["আশার আলো"])
    assert discretion_problems("Code AsharAlo", clinic_names=["asharalo"])


def test_short_clinic_names_are_ignored() -> None:
    assert discretion_problems("Code MS12", clinic_names=["MS", " ", ""]) == []


def test_nickname_is_caught_without_being_repeated() -> None:
    problems = discretion_problems("Moni, your time is 11:00", nicknames=["moni"])
    assert problems == ["contains the member's nickname"]
    assert "moni" not in problems[0].lower()


def test_latin_nickname_is_matched_as_a_whole_word() -> None:
    assert discretion_problems("Money for the bus", nicknames=["Moni", "Mon"]) == []
    assert discretion_problems("Moni's code", nicknames=["Moni"])


def test_bangla_nickname_is_matched_anywhere() -> None:
    assert discretion_problems("মনিকে বলুন", nicknames=["মনি"])


def test_short_nicknames_are_ignored() -> None:
    assert discretion_problems("Code K7P2-QX9M", nicknames=["K7", "Q"]) == []


def test_ignore_blanks_the_random_code_only() -> None:
    text = "Code K7TB-QX9M."
    assert discretion_problems(text)  # "TB"
    assert discretion_problems(text, ignore=["K7TB-QX9M"]) == []
    assert discretion_problems("HIV code K7TB-QX9M", ignore=["K7TB-QX9M", ""])


def test_several_problems_are_all_reported() -> None:
    problems = discretion_problems(
        "Moni: HIV test at Marie Stopes, ক্লিনিক", clinic_names=["Marie Stopes"], nicknames=["Moni"]
    )
    assert len(problems) == 5
