"""Where a `next` parameter may send someone: only a path on our own host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri

# What the WHATWG URL parser (browsers) and Python's urlsplit (Werkzeug's Location header) drop
# before parsing: C0 controls and space at either end, and tab and newlines anywhere. A check made
# before this cleaning is fooled by `/\t/evil.example`, which the browser reads as `//evil.example`.
_EDGE = "".join(chr(c) for c in range(0x21))
_REMOVED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def local_path(target: str | None) -> str | None:
    """The target cleaned as a browser would, if it is a path on this host; otherwise None.

    Refused: any scheme or host, `//` at the start (a host relative to the scheme), backslashes
    (browsers read `\\` as `/`), and control characters left after the cleaning.
    """
    if not target:
        return None
    cleaned = _REMOVED.sub("", target.strip(_EDGE))
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    if "\\" in cleaned or _CONTROL.search(cleaned):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    # The Location header Werkzeug will write must say the same thing.
    written = iri_to_uri(cleaned)
    if not written.startswith("/") or written.startswith("//"):
        return None
    return cleaned


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this host, else `default`."""
    return local_path(target) or default
