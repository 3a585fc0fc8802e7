"""The discretion check: an SMS may be read by anyone holding her phone, so it must say nothing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Latin-script words, matched case-insensitively as whole words (so "start", "party", "latest"
# and "Testament" pass). A plain entry also matches its common inflections (-s, -es, -ed, -ing:
# "tests", "tested", "testing"); an entry ending in "*" is a stem and matches any word that
# starts with it ("pregnan*" → pregnant, pregnancy). Short acronyms take only a plural "s".
# Known accepted false positives: "Mrs" (MR = menstrual regulation), "arts", "sextet".
ENGLISH_FORBIDDEN_WORDS: tuple[str, ...] = (
    # HIV and its care
    "hiv", "aids", "prep", "pep", "art", "arv", "antiretrovir*", "viral", "virus", "cd4",
    # other infections
    "sti", "std", "infect*", "gonorrh*", "syphil*", "chlamydia", "herpes", "hpv", "hepatitis",
    "tb", "tubercul*", "disease",
    # sex and sex work
    "sex*", "condom", "lube", "lubric*", "prostitut*", "brothel", "pimp", "vagin*", "genital*",
    "penis",
    # reproductive health
    "pregnan*", "abort*", "contracept*", "mr", "menstru*", "family planning",
    # tests and care in general
    "test", "result", "positive", "negative", "diagnos*", "screening", "blood", "lab",
    "clinic*", "hospital", "doctor", "nurse", "medic*", "health", "treatment", "therap*",
    "counsel*", "inject*", "pill", "vaccin*", "drug", "syringe", "needle", "methadone",
)  # fmt: skip

# Bangla words, matched as any occurrence (Bangla inflects by suffix and compounds freely, so
# "যৌন" must also catch "যৌনকর্মী"). No entry contains another, so each problem is reported once.
BANGLA_FORBIDDEN_WORDS: tuple[str, ...] = (
    # HIV and infections
    "এইচআইভি", "এইচ আই ভি", "এইডস", "প্রেপ", "এআরটি", "এসটিআই", "এসটিডি", "ভাইরাস", "ভাইরাল",
    "সংক্রমণ", "সিফিলিস", "গনোরিয়া", "হেপাটাইটিস", "যক্ষ্মা", "রোগ",
    # sex and sex work
    "যৌন", "কনডম", "কন্ডম", "পতিতা", "বেশ্যা", "খদ্দের", "দেহব্যবসা",
    # reproductive health: গর্ভ covers গর্ভবতী, গর্ভপাত, গর্ভনিরোধক
    "গর্ভ", "মাসিক নিয়মিতকরণ", "এমআর", "জন্মনিয়ন্ত্রণ", "জন্মবিরতি",
    # tests and care in general ("চিকিৎস" covers চিকিৎসা and চিকিৎসক, in both spellings of ৎ)
    "পরীক্ষা", "টেস্ট", "ফলাফল", "রেজাল্ট", "রিপোর্ট", "পজিটিভ", "নেগেটিভ", "রক্ত", "ল্যাব",
    "ক্লিনিক", "হাসপাতাল", "ডাক্তার", "ডাঃ", "নার্স", "চিকিৎস", "চিকিত্স", "ওষুধ", "ঔষধ",
    "ইনজেকশন", "স্বাস্থ্য",
)  # fmt: skip

MIN_NAME_LENGTH = 3  # shorter clinic names or nicknames would match almost anything

# Invisible characters that could hide a word from the check ("H\u200bIV") without changing how
# the SMS reads. Bangla uses ZWJ/ZWNJ inside some conjuncts, but only to pick a glyph shape.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _normalise(text: str) -> str:
    """NFKC (full-width Latin → ASCII, one form for Bangla nukta letters), invisibles removed."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def _english_pattern(entry: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for one English entry (see the list's comment)."""
    if entry.endswith("*"):
        body, tail = re.escape(entry[:-1]), r"[a-z]*"
    else:
        body = r"\s+".join(re.escape(part) for part in entry.split())
        tail = r"s?" if len(entry) <= 3 else r"(?:s|es|ed|ing)?"
    # Boundaries are "not an ASCII letter" rather than \b, so "HIV-এর" or "HIVর" still match.
    return re.compile(rf"(?<![a-z]){body}{tail}(?![a-z])", re.IGNORECASE)


_ENGLISH = tuple((word, _english_pattern(word)) for word in ENGLISH_FORBIDDEN_WORDS)
_BANGLA = tuple(_normalise(word) for word in BANGLA_FORBIDDEN_WORDS)


def _collapse(text: str) -> str:
    """Normalised, case-folded, with runs of whitespace made one space, for name matching."""
    return " ".join(_normalise(text).casefold().split())


def _contains_name(text: str, name: str, *, whole_word: bool) -> bool:
    """Whether the (already collapsed) text holds the name; whole words only for Latin names."""
    needle = _collapse(name)
    if len(needle) < MIN_NAME_LENGTH:
        return False
    if whole_word and needle.isascii() and _LATIN_LETTER.search(needle):
        return re.search(rf"(?<![a-z]){re.escape(needle)}(?![a-z])", text) is not None
    return needle in text


def discretion_problems(
    text: str,
    *,
    clinic_names: Iterable[str] = (),
    nicknames: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[str]:
    """The reasons this SMS text is not discreet enough to send or save; empty when it is fine."""
    # `ignore` blanks exact substrings first: a random referral code such as "K7TB-..." must not
    # trip the check ("TB"), while the words around it are still checked.
    for part in ignore:
        if part:
            text = text.replace(part, " ")
    problems: list[str] = []
    normal = _normalise(text)
    for _word, pattern in _ENGLISH:
        if found := pattern.search(normal):
            problems.append(f'"{found.group(0)}" may reveal health, HIV or sex work')
    for word in _BANGLA:
        if word in normal:
            problems.append(f'"{word}" may reveal health, HIV or sex work')
    collapsed = _collapse(text)
    for name in dict.fromkeys(clinic_names):
        if _contains_name(collapsed, name, whole_word=False):
            problems.append(f'names the clinic ("{name.strip()}"); use its SMS alias')
    # The nickname is personal data: say that it is there, never repeat it (problems get logged).
    if any(_contains_name(collapsed, name, whole_word=True) for name in nicknames):
        problems.append("contains the member's nickname")
    return problems
