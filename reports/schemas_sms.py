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
    cost: Annotated[float, Field(ge=0)] | None = Field(
        description="segments × the gateway's price per segment"
    )


class SmsDeliveryRow(SmsDeliveryCells):
    """One group: a month (YYYY-MM), a message kind or a gateway (`none`: not recorded)."""

    group: str


class SmsDeliveryReport(Out):
    """SMS delivery and cost (CONTRACT.md)."""

    rows: list[SmsDeliveryRow]
    totals: SmsDeliveryCells
