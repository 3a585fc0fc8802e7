"""What Twilio's error codes mean, in words an admin can act on (shown in the SMS log)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TWILIO_ERRORS: dict[str, object] = {
    "21211": _l("Invalid phone number: the number is not valid; correct it on the member's page."),
    "21614": _l("Not a mobile number: this number cannot receive SMS."),
    "21610": _l("Unsubscribed: the member replied STOP; she gets no SMS until she opts in."),
    "30003": _l("Phone unreachable: switched off or out of coverage; tried once more later."),
    "30005": _l("Unknown number: the number does not exist or is no longer in service."),
    "30006": _l("Landline or unreachable carrier: the number cannot receive SMS."),
    "30007": _l("Filtered by the carrier (seen as spam or blocked)."),
    "20429": _l("Too many requests: the provider asked us to slow down; retried."),
    "30008": _l("Unknown error from the carrier."),
}


def describe_error(code: object) -> object | None:
    """The meaning of a provider error code, or None when it is not in the catalogue."""
    if code is None:
        return None
    return TWILIO_ERRORS.get(str(code).strip())
