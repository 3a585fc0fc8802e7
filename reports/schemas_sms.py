"""Request and response models of the SMS reports' API (parsing and the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from core.schemas import DateIn, Out, Query
from reports import sms_delivery, sms_effect

# A count from 1 to 4 is "<5" for every role but admin; a total that would give one away is null.
Count = Annotated[int, Field(ge=0)] | Literal["<5"] | None
Rate = Annotated[float, Field(ge=0, le=1)] | None
Difference = Annotated[float, Field(ge=-1, le=1)] | None
Amount = Annotated[float, Field(ge=0)] | None
EffectGroupBy = Literal[sms_effect.GROUP_BY]  # type: ignore[valid-type]
DeliveryGroupBy = Literal[sms_delivery.GROUP_BY]  # type: ignore[valid-type]
FROM = "first local date (YYYY-MM-DD); default: the first day, 11 months ago"
TO = "last local date, inclusive (YYYY-MM-DD); default: today"


class SmsEffectQuery(Query):
    """The referrals' creation dates (local, inclusive) and the grouping."""

    from_: DateIn | None = Field(default=None, alias="from", description=FROM)
    to: DateIn | None = Field(default=None, description=TO)
    group_by: EffectGroupBy = Field(
        default="month", description="month (YYYY-MM the referral was made) or clinic (its name)"
    )


class Arm(Out):
    """Referrals of one arm: how many, how many attended, and the rate (a fraction)."""

    referred: Count
    attended: Count
    rate: Rate


class SmsEffectCells(Out):
    """One row's (or the totals') three arms, the difference and its 95% interval."""

    with_reminders: Arm
    unconfirmed: Arm
    without_reminders: Arm
    difference: Difference = Field(description="with minus without reminders")
    ci_low: Difference = Field(description="Newcombe's hybrid score interval (method 10), 95%")
    ci_high: Difference
    median_hours_last_reminder_to_visit: float | None


class SmsEffectRow(SmsEffectCells):
    """One group: a month (YYYY-MM) or a clinic's name."""

    group: str


class SmsEffectReport(Out):
    """The SMS effect (CONTRACT.md): an observational comparison, not a trial."""

    rows: list[SmsEffectRow]
    totals: SmsEffectCells
    as_of: str | None = Field(
        description="When the report summary these figures come from was computed (ISO 8601, "
        "local offset); null before its first computation."
    )


class SmsDeliveryQuery(Query):
    """The messages' send dates (local, inclusive) and the grouping."""

    from_: DateIn | None = Field(default=None, alias="from", description=FROM)
    to: DateIn | None = Field(default=None, description=TO)
    group_by: DeliveryGroupBy = Field(
        default="month", description="month (YYYY-MM), kind (message kind code) or gateway"
    )


class SmsDeliveryCells(Out):
    """Messages that went to a gateway: sent, delivered, failed, the rate, segments, cost."""

    sent: Count = Field(description="reached the provider (sent or beyond)")
    delivered: Count
    failed: Count = Field(description="failed or undelivered")
    delivery_rate: Rate = Field(description="delivered ÷ sent")
    segments: Count
    costs: dict[str, Amount] = Field(
        description="{currency code: amount} for each currency with segments (each gateway's "
        "segments × its price per segment, in its currency: SMS_PRICE_CURRENCY for Twilio, "
        "SMSGATE_PRICE_CURRENCY for the local SIM); amounts of different currencies are never "
        "added; an amount is null when it rests on fewer than 5 segments (but for admins)"
    )
    cost: Amount = Field(
        description="the amount when one currency is involved (0 when none); null when several "
        "(read `costs`) or when hidden"
    )


class SmsDeliveryRow(SmsDeliveryCells):
    """One group: a month (YYYY-MM), a message kind or a gateway (`none`: not recorded)."""

    group: str


class StatusCells(Out):
    """Counted messages by their status (a message is counted under its current status)."""

    sent: Count = Field(description="the provider took it; no delivery report yet")
    delivered: Count
    undelivered: Count
    failed: Count


class StatusRow(StatusCells):
    """One local month (YYYY-MM) of the messages' send time."""

    group: str


class StatusTable(Out):
    """Messages by status per month, whatever the grouping of `rows`."""

    rows: list[StatusRow]
    totals: StatusCells


class SmsDeliveryReport(Out):
    """SMS delivery and cost (CONTRACT.md), with messages by status per month."""

    rows: list[SmsDeliveryRow]
    totals: SmsDeliveryCells
    statuses: StatusTable
    as_of: str | None = Field(
        description="When the report summary these figures come from was computed (ISO 8601, "
        "local offset); null before its first computation."
    )
