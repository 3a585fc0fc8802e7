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

# Safety alerts (issue 13) also never hold words of violence, police or sex work (UX.md): a phone
# read by a client, a partner or the police must not show what the alert is about. The same rules
# as above (whole words for Latin, any occurrence for Bangla); the health words apply too.
ALERT_ENGLISH_WORDS: tuple[str, ...] = (
    # police and detention
    "police*", "cop", "rab", "thana", "arrest", "detain*", "detention", "custody", "jail*",
    "prison*", "raid", "crackdown",
    # violence
    "violen*", "rape", "rapist", "attack", "assault*", "beat", "beaten", "abus*", "harass*",
    "kill*", "murder*", "stabbed", "stabbing", "knife", "gun", "weapon*", "robber*", "mugged",
    "mugging", "extort*", "bribe*", "threat*", "evict*", "kidnap*", "abduct*", "traffick*",
    "tortur*", "thug*", "goon*", "mastan*", "victim*",
    # sex work (sex*, prostitut*, brothel and pimp are in the health list)
    "client", "escort*", "hooker*", "whore*", "red light",
)  # fmt: skip

# Bangla, any occurrence: "ধর্ষ" covers ধর্ষণ, ধর্ষক; "সহিংস" সহিংসতা; "সন্ত্রাস" সন্ত্রাসী;
# "চাঁদা" চাঁদাবাজি; যৌনকর্মী and যৌনপল্লী are caught by the health list's "যৌন". Not "জেল"
# (it is inside জেলা, district) nor "মার" (inside too many words): জেলখানা, মারধর instead.
ALERT_BANGLA_WORDS: tuple[str, ...] = (
    # police and detention
    "পুলিশ", "পুলিস", "র‍্যাব", "থানা", "রেইড", "অভিযান", "ধরপাকড়", "গ্রেপ্তার", "গ্রেফতার",
    "আটক", "হাজত", "জেলখানা", "কারাগার",
    # violence
    "ধর্ষ", "সহিংস", "মারধর", "পিটিয়ে", "পেটানো", "নির্যাতন", "হামলা", "আক্রমণ", "খুন",
    "ছিনতাই", "চাঁদা", "হুমকি", "উচ্ছেদ", "অপহরণ", "হয়রানি", "মাস্তান", "গুন্ডা", "সন্ত্রাস",
    "ভায়োলেন্স",
    # sex work (যৌন, পতিতা, বেশ্যা, খদ্দের, দেহব্যবসা are in the health list)
    "সেক্স", "দালাল", "খারাপ পাড়া",
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
_ALERT_ENGLISH = tuple((word, _english_pattern(word)) for word in ALERT_ENGLISH_WORDS)
_ALERT_BANGLA = tuple(_normalise(word) for word in ALERT_BANGLA_WORDS)


def forbidden_words(text: str, *, alert: bool = False) -> list[str]:
    """The forbidden words this text holds, each once, as they appear (Latin) or as listed
    (Bangla); `alert` adds the words of violence, police and sex work of a safety alert."""
    normal = _normalise(text)
    english = _ENGLISH + (_ALERT_ENGLISH if alert else ())
    bangla = _BANGLA + (_ALERT_BANGLA if alert else ())
    found = [m.group(0) for _word, pattern in english if (m := pattern.search(normal))]
    found += [word for word in bangla if word in normal]
    return list(dict.fromkeys(found))


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
    problems = [f'"{word}" may reveal health, HIV or sex work' for word in forbidden_words(text)]
    collapsed = _collapse(text)
    for name in dict.fromkeys(clinic_names):
        if _contains_name(collapsed, name, whole_word=False):
            problems.append(f'names the clinic ("{name.strip()}"); use its SMS alias')
    # The nickname is personal data: say that it is there, never repeat it (problems get logged).
    if any(_contains_name(collapsed, name, whole_word=True) for name in nicknames):
        problems.append("contains the member's nickname")
    return problems
