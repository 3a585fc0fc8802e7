"""SMS encoding and segment counting (GSM-7 with its extension table, else UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character set. ESC (0x1B) is left out on purpose: it is the escape to the
# extension table, not a character anyone types, so a raw ESC in a text forces UCS-2.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC + char, so it costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_PART = 160, 153  # septets; a part loses 7 to the concatenation header
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units; a part loses 3 to the header


@dataclass(frozen=True)
class SegmentInfo:
    """How a text will travel: its encoding, its size and how many SMS segments it costs."""

    encoding: Encoding
    characters: int  # Unicode code points, what a person would call the length
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int  # 0 for an empty text
    per_segment: int  # the limit that applies: 160/70 for one segment, 153/67 per part
    remaining: int  # units still free in the last segment before another one is needed
    non_gsm: tuple[str, ...] = ()  # the distinct characters that forced UCS-2, in order


def is_gsm7(text: str) -> bool:
    """True when every character of the text can be sent in GSM-7 (basic or extension)."""
    return all(ch in GSM7_ALL for ch in text)


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    """The cost of each character in units; an escape pair or surrogate pair is one item of 2."""
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(costs: list[int], single: int, part: int) -> tuple[int, int, int]:
    """Segments, the limit that applies and the room left in the last one, for these costs."""
    total = sum(costs)
    if total == 0:
        return 0, single, single
    if total <= single:
        return 1, single, single - total
    # Fill parts greedily, but never split a two-unit item (ESC + char, or a surrogate pair)
    # across parts: Twilio keeps escape sequences whole, and a split surrogate pair shows up as
    # two broken characters on many phones, so we assume the gateway keeps those whole too. At
    # worst this counts one segment more than a gateway that does split, never one fewer.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return segments, part, part - used


def count_segments(text: str) -> SegmentInfo:
    """Count the encoding, units and segments of an SMS text exactly as the carrier will."""
    non_gsm = tuple(dict.fromkeys(ch for ch in text if ch not in GSM7_ALL))
    encoding: Encoding = "UCS-2" if non_gsm else "GSM-7"
    costs = _unit_costs(text, encoding)
    if encoding == "GSM-7":
        segments, limit, remaining = _pack(costs, GSM7_SINGLE, GSM7_PART)
    else:
        segments, limit, remaining = _pack(costs, UCS2_SINGLE, UCS2_PART)
    return SegmentInfo(
        encoding=encoding,
        characters=len(text),
        units=sum(costs),
        segments=segments,
        per_segment=limit,
        remaining=remaining,
        non_gsm=non_gsm,
    )
