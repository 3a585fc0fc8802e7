"""JSON API of the SMS reports: GET /api/v1/reports/sms-effect and /sms-delivery (viewer, admin).

reports.api adds these routes to its own, so both documents and names stay the package's."""

from __future__ import annotations

from flask import jsonify, request

from core.api import ApiRoutes, api_require, api_user
from core.openapi import endpoint
from core.web import transactional
from reports import sms_delivery, sms_effect
from reports.filters import parse_filters
from reports.schemas_sms import (
    SmsDeliveryQuery,
    SmsDeliveryReport,
    SmsEffectQuery,
    SmsEffectReport,
)

routes = ApiRoutes()
SMALL = (
    'A count from 1 to 4 is "<5" for every role but admin; a rate, difference, interval, '
    "median or cost built on one is null, and so is a total that would give a single hidden "
    "group away. "
)


@routes.get("/reports/sms-effect")
@api_require("reports.read")
@transactional
@endpoint(
    "Attendance with and without SMS reminders (viewer, admin)",
    query=SmsEffectQuery,
    response=SmsEffectReport,
    errors=(422,),
    description="Referrals made in the range with an appointment and a known outcome (attended, "
    "missed, expired), in three arms: a reminder delivered; one sent but none confirmed "
    "delivered; none sent. `difference` is with minus without, with Newcombe's 95% hybrid "
    "score interval (method 10); rates are fractions. An observational comparison, not a "
    "trial. " + SMALL + "422 when `from` is after `to` or `group_by` is unknown.",
)
def reports_sms_effect(query: SmsEffectQuery):
    """The SMS effect report (audited as a report read)."""
    filters = parse_filters(request.args, sms_effect.GROUP_BY)
    return jsonify(
        sms_effect.sms_effect(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )


@routes.get("/reports/sms-delivery")
@api_require("reports.read")
@transactional
@endpoint(
    "SMS delivery and cost (viewer, admin)",
    query=SmsDeliveryQuery,
    response=SmsDeliveryReport,
    errors=(422,),
    description="Messages due in the range that went to a gateway: sent (reached the "
    "provider), delivered, failed (failed or undelivered), the delivery rate (delivered ÷ "
    "sent), segments and their cost: segments × the price per segment of the gateway of the "
    "last attempt, in that gateway's currency (SMS_PRICE_CURRENCY for Twilio, "
    "SMSGATE_PRICE_CURRENCY for the local SIM). Amounts of different currencies are never "
    "added: `costs` is {currency code: amount} for each currency with segments, and `cost` "
    "is the amount when one currency is involved (0 when none) and null when several. "
    "`statuses`: the same messages by status (sent, delivered, undelivered, failed) per "
    "month. `as_of`: when the report summary the figures come from was computed. "
    + SMALL
    + "422 when `from` is after `to` or `group_by` is unknown.",
)
def reports_sms_delivery(query: SmsDeliveryQuery):
    """The SMS delivery report (audited as a report read)."""
    filters = parse_filters(request.args, sms_delivery.GROUP_BY)
    return jsonify(
        sms_delivery.sms_delivery(
            start=filters.start, end=filters.end, group_by=filters.group_by, actor=api_user()
        )
    )
