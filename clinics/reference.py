"""Fixed reference data of the directory: districts, friendliness attributes, the default
service catalogue, Bangladesh's bounding box and the words a clinic's SMS alias may not hold."""

from __future__ import annotations

import re
import unicodedata

# Bangladesh's 64 districts by their current official English names, grouped by division.
DISTRICTS: tuple[str, ...] = (
    # Dhaka
    "Dhaka", "Faridpur", "Gazipur", "Gopalganj", "Kishoreganj", "Madaripur", "Manikganj",
    "Munshiganj", "Narayanganj", "Narsingdi", "Rajbari", "Shariatpur", "Tangail",
    # Chattogram
    "Bandarban", "Brahmanbaria", "Chandpur", "Chattogram", "Cox's Bazar", "Cumilla", "Feni",
    "Khagrachhari", "Lakshmipur", "Noakhali", "Rangamati",
    # Rajshahi
    "Bogura", "Chapai Nawabganj", "Joypurhat", "Naogaon", "Natore", "Pabna", "Rajshahi",
    "Sirajganj",
    # Khulna
    "Bagerhat", "Chuadanga", "Jashore", "Jhenaidah", "Khulna", "Kushtia", "Magura", "Meherpur",
    "Narail", "Satkhira",
    # Barishal
    "Barguna", "Barishal", "Bhola", "Jhalokati", "Patuakhali", "Pirojpur",
    # Sylhet
    "Habiganj", "Moulvibazar", "Sunamganj", "Sylhet",
    # Rangpur
    "Dinajpur", "Gaibandha", "Kurigram", "Lalmonirhat", "Nilphamari", "Panchagarh", "Rangpur",
    "Thakurgaon",
    # Mymensingh
    "Jamalpur", "Mymensingh", "Netrokona", "Sherpur",
)  # fmt: skip

# Each district's official Bangla name, shown on Bangla pages (the stored name stays English).
DISTRICT_NAMES_BN: dict[str, str] = {
    # Dhaka
    "Dhaka": "ঢাকা", "Faridpur": "ফরিদপুর", "Gazipur": "গাজীপুর", "Gopalganj": "গোপালগঞ্জ",
    "Kishoreganj": "কিশোরগঞ্জ", "Madaripur": "মাদারীপুর", "Manikganj": "মানিকগঞ্জ",
    "Munshiganj": "মুন্সিগঞ্জ", "Narayanganj": "নারায়ণগঞ্জ", "Narsingdi": "নরসিংদী",
    "Rajbari": "রাজবাড়ী", "Shariatpur": "শরীয়তপুর", "Tangail": "টাঙ্গাইল",
    # Chattogram
    "Bandarban": "বান্দরবান", "Brahmanbaria": "ব্রাহ্মণবাড়িয়া", "Chandpur": "চাঁদপুর",
    "Chattogram": "চট্টগ্রাম", "Cox's Bazar": "কক্সবাজার", "Cumilla": "কুমিল্লা", "Feni": "ফেনী",
    "Khagrachhari": "খাগড়াছড়ি", "Lakshmipur": "লক্ষ্মীপুর", "Noakhali": "নোয়াখালী",
    "Rangamati": "রাঙ্গামাটি",
    # Rajshahi
    "Bogura": "বগুড়া", "Chapai Nawabganj": "চাঁপাইনবাবগঞ্জ", "Joypurhat": "জয়পুরহাট",
    "Naogaon": "নওগাঁ", "Natore": "নাটোর", "Pabna": "পাবনা", "Rajshahi": "রাজশাহী",
    "Sirajganj": "সিরাজগঞ্জ",
    # Khulna
    "Bagerhat": "বাগেরহাট", "Chuadanga": "চুয়াডাঙ্গা", "Jashore": "যশোর", "Jhenaidah": "ঝিনাইদহ",
    "Khulna": "খুলনা", "Kushtia": "কুষ্টিয়া", "Magura": "মাগুরা", "Meherpur": "মেহেরপুর",
    "Narail": "নড়াইল", "Satkhira": "সাতক্ষীরা",
    # Barishal
    "Barguna": "বরগুনা", "Barishal": "বরিশাল", "Bhola": "ভোলা", "Jhalokati": "ঝালকাঠি",
    "Patuakhali": "পটুয়াখালী", "Pirojpur": "পিরোজপুর",
    # Sylhet
    "Habiganj": "হবিগঞ্জ", "Moulvibazar": "মৌলভীবাজার", "Sunamganj": "সুনামগঞ্জ", "Sylhet": "সিলেট",
    # Rangpur
    "Dinajpur": "দিনাজপুর", "Gaibandha": "গাইবান্ধা", "Kurigram": "কুড়িগ্রাম",
    "Lalmonirhat": "লালমনিরহাট", "Nilphamari": "নীলফামারী", "Panchagarh": "পঞ্চগড়",
    "Rangpur": "রংপুর", "Thakurgaon": "ঠাকুরগাঁও",
    # Mymensingh
    "Jamalpur": "জামালপুর", "Mymensingh": "ময়মনসিংহ", "Netrokona": "নেত্রকোণা", "Sherpur": "শেরপুর",
}  # fmt: skip

# Older or alternative spellings accepted on input and stored as the current name.
DISTRICT_ALIASES: dict[str, str] = {
    "chittagong": "Chattogram",
    "comilla": "Cumilla",
    "jessore": "Jashore",
    "barisal": "Barishal",
    "bogra": "Bogura",
    "coxs bazar": "Cox's Bazar",
    "chapainawabganj": "Chapai Nawabganj",
    "nawabganj": "Chapai Nawabganj",
    "jhalakathi": "Jhalokati",
    "jhalakati": "Jhalokati",
    "maulvibazar": "Moulvibazar",
    "netrakona": "Netrokona",
    "khagrachari": "Khagrachhari",
    "laxmipur": "Lakshmipur",
}

_DISTRICT_BY_KEY = {name.casefold(): name for name in DISTRICTS}


def _district_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).replace("\u2019", "'").strip()
    return " ".join(text.split()).casefold()


def normalise_district(value: str | None) -> str | None:
    """The official name of a district given in any accepted spelling, or None if unknown."""
    if not value or not value.strip():
        return None
    key = _district_key(value)
    if key in _DISTRICT_BY_KEY:
        return _DISTRICT_BY_KEY[key]
    return DISTRICT_ALIASES.get(key.replace("'", "")) or DISTRICT_ALIASES.get(key)


# Friendliness attributes: fixed codes (the labels live in the pages, translated).
ATTRIBUTES: tuple[str, ...] = (
    "free_of_charge",
    "no_id_required",
    "female_provider",
    "kp_trained_staff",
    "night_hours",
    "walk_in",
    "private_entrance",
)

# The service catalogue seeded on every installation: (code, English, Bangla). Admins add more.
DEFAULT_SERVICES: tuple[tuple[str, str, str], ...] = (
    ("hiv_testing", "HIV testing", "এইচআইভি পরীক্ষা"),
    ("hiv_selftest", "HIV self-test kit", "এইচআইভি স্ব-পরীক্ষা কিট"),
    ("prep", "PrEP (HIV prevention pills)", "প্রেপ (এইচআইভি প্রতিরোধের ওষুধ)"),
    ("pep", "PEP (after exposure)", "পেপ (ঝুঁকির পরে প্রতিরোধ)"),
    ("art", "ART (HIV treatment)", "এআরটি (এইচআইভি চিকিৎসা)"),
    ("viral_load", "Viral load test", "ভাইরাল লোড পরীক্ষা"),
    ("sti", "STI care", "যৌনবাহিত সংক্রমণের চিকিৎসা"),
    ("tb_screening", "TB screening", "যক্ষ্মা স্ক্রিনিং"),
    ("contraception", "Contraception", "জন্মনিয়ন্ত্রণ"),
    ("menstrual_regulation", "Menstrual regulation (MR)", "মাসিক নিয়মিতকরণ (এমআর)"),
    ("antenatal", "Antenatal care", "গর্ভকালীন সেবা"),
    ("gbv_care", "Care after violence", "সহিংসতার পরে সেবা"),
    ("mental_health", "Mental health support", "মানসিক স্বাস্থ্য সহায়তা"),
    ("legal_aid", "Legal aid", "আইনি সহায়তা"),
    ("general", "General health care", "সাধারণ স্বাস্থ্যসেবা"),
)
SERVICE_CODES: tuple[str, ...] = tuple(code for code, _en, _bn in DEFAULT_SERVICES)

# Bangladesh's bounding box (degrees), with a small margin for its edges.
LAT_MIN, LAT_MAX = 20.5, 26.7
LON_MIN, LON_MAX = 88.0, 92.7

SMS_ALIAS_MAX = 20
VERIFY_AFTER_DAYS = 180
FEEDBACK_MIN_REPORTS = 5
# The feedback form's optional yes/no questions (null: not asked), in the order shown.
FEEDBACK_QUESTIONS = ("asked_for_id", "charged", "kept_private")

# An SMS names the clinic by its alias, so the alias must say nothing about health (UX.md's list,
# a little extended). Latin words match whole words (with a plural); Bangla words match anywhere.
_ALIAS_LATIN = (
    "hiv", "aids", "prep", "pep", "art", "arv", "sti", "std", "sex", "sexual", "condom", "test",
    "result", "positive", "negative", "viral", "virus", "clinic", "hospital", "doctor", "health",
    "medical", "nurse", "tb", "mr", "diagnostic", "lab", "pharmacy", "maternity",
)  # fmt: skip
_ALIAS_BANGLA = (
    "এইচআইভি", "এইডস", "যৌন", "কনডম", "পরীক্ষা", "ফলাফল", "পজিটিভ", "ক্লিনিক", "হাসপাতাল",
    "ডাক্তার", "স্বাস্থ্য", "চিকিৎস", "রোগ", "ল্যাব",
)  # fmt: skip
_ALIAS_PATTERN = re.compile(
    r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in _ALIAS_LATIN) + r")s?(?![a-z])",
    re.IGNORECASE,
)


def alias_health_words(alias: str) -> list[str]:
    """The health words found in an SMS alias (empty when it is discreet)."""
    text = unicodedata.normalize("NFKC", alias)
    found = [m.group(0) for m in _ALIAS_PATTERN.finditer(text)]
    found += [w for w in _ALIAS_BANGLA if w in text]
    return found
