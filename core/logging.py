"""Logging set-up: phone numbers are masked in every record the process writes."""

from __future__ import annotations

import logging
import re
import traceback

# Anything phone-shaped: an optional +, then 8 or more digits possibly split by spaces or hyphens.
# Bangla digits count too. Short numbers (ids, counts, years) are left alone.
# ISO dates (2026-12-02) are not phones; URL-encoded ones (To=%2B880…) are.
_PHONE = re.compile(
    r"(?<![\w])(?!\d{4}-\d{2}-\d{2}\b)(?:\+|%2[Bb])?(?:[0-9০-৯][ \-.]?){7,}[0-9০-৯](?![\w])"
)


def mask_phones(text: str) -> str:
    """Replace every phone-shaped run in `text` by a mask that keeps its last two digits."""
    return _PHONE.sub(lambda m: "***" + re.sub(r"\D", "", m.group(0))[-2:], text)


def mask_phone(e164: str | None) -> str:
    """The masked form shown in lists: country code kept, all but the last three digits hidden."""
    if not e164:
        return ""
    digits = e164.lstrip("+")
    return "+" + digits[:3] + "•" * max(len(digits) - 6, 0) + digits[-3:]


_installed = False


def install_phone_masking() -> None:
    """Mask phone numbers in every log record, whichever logger or handler writes it."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        masked = mask_phones(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters reuse exc_text when it is set: a traceback may quote a number too.
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = mask_phones(text)
        if record.stack_info:
            record.stack_info = mask_phones(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    # The twilio client logs request parameters, numbers included, at INFO.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    _installed = True
