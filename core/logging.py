"""Logging set-up: phone numbers are masked in every record the process writes."""

from __future__ import annotations

import logging
import re
import traceback

# Anything phone-shaped: an optional +, then 8 or more digits possibly split by spaces or hyphens.
# Bangla digits count too. Short numbers (ids, counts, years) are left alone, and so are the parts
# of a date or a time: nothing joined to another number by ":" (09:46:14), "." (the fraction of
# "14.123409+00:00") or "-" (the day of "2026-12-04"), and no whole ISO date. A phone may still
# stand next to punctuation ("to +8801712345678: failed"). URL-encoded ones (To=%2B880…) count.
# The development server's "Debugger PIN: 123-456-789" is left for the developer to type.
_DIGIT = r"[0-9০-৯]"
_PHONE = re.compile(
    rf"(?<![\w+])(?<!{_DIGIT}[:.\-])(?<!PIN: )(?!\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:\+|%2[Bb])?(?:{_DIGIT}[ \-]?){{7,}}{_DIGIT}(?!\w|[:.]{_DIGIT})"
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


# APScheduler's lines for every run of every job (several a minute) and for each job it adds.
# "Scheduler started" stays: once, it says the jobs run.
_ROUTINE_LOGGERS = ("apscheduler.executors.default", "apscheduler.scheduler")
_ROUTINE_LINES = re.compile(
    r'^(Running job "|Job ".*" executed successfully$|Added job "|Adding job tentatively)'
)


class _RoutineToDebug(logging.Filter):
    """Demote a scheduler's routine INFO lines to DEBUG, so the console keeps what matters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not _ROUTINE_LINES.match(record.getMessage()):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


_routine_filter = _RoutineToDebug()


def quiet_scheduler_routine() -> None:
    """Log APScheduler's "Running job", "executed successfully" and "Add(ed|ing) job" at DEBUG."""
    for name in _ROUTINE_LOGGERS:
        logger = logging.getLogger(name)
        if _routine_filter not in logger.filters:
            logger.addFilter(_routine_filter)
