"""OpenAPI descriptions of the referrals endpoints (added to GET /api/v1/openapi.json)."""

from __future__ import annotations

from core.api import document, schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str) -> dict:
    return {"application/json": {"schema": _ref(name)}}


def _errors(*codes: str) -> dict:
    meanings = {
        "400": "malformed body or query",
        "401": "no valid Bearer token",
        "403": "role may not use this endpoint",
        "404": "not found or outside the caller's scope",
        "409": "state conflict",
        "422": "invalid fields",
    }
    return {c: {"description": meanings[c], "content": _json("Error")} for c in codes}


def _op(summary: str, ok: str, schema_name: str | None, *errors: str, body: str | None = None):
    spec: dict = {
        "summary": summary,
        "responses": {
            ok: {"description": "ok", **({"content": _json(schema_name)} if schema_name else {})},
            **_errors("401", *errors),
        },
    }
    if body:
        spec["requestBody"] = {"required": True, "content": _json(body)}
    return spec


CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
MEMBER_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_str, _int, _bool = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_nstr = {"type": "string", "nullable": True}

schema(
    "Member",
    {
        "type": "object",
        "properties": {
            "id": _int,
            "uic": _str,
            "nickname": _nstr,
            "phone_masked": _str,
            "language": {"type": "string", "enum": ["bn", "en"]},
            "sms_consent": _bool,
            "shared_phone": _bool,
            "contact_window": {**_nstr, "example": "20:00-06:00"},
            "safety_hold": _bool,
            "opted_out": _bool,
            "peer_educator_id": _int,
        },
    },
)
schema(
    "MemberCreate",
    {
        "type": "object",
        "required": ["phone"],
        "properties": {
            "phone": {"type": "string", "example": "01712-345678"},
            "language": {"type": "string", "enum": ["bn", "en"]},
            "sms_consent": _bool,
            "shared_phone": _bool,
            "uic": _str,
            "nickname": _str,
            "contact_window": _str,
            "peer_educator_id": {**_int, "description": "admins only"},
        },
    },
)
schema(
    "Message",
    {
        "type": "object",
        "properties": {
            "id": _int,
            "kind": _str,
            "status": _str,
            "send_at": {"type": "string", "format": "date-time"},
            "sent_at": {"type": "string", "format": "date-time", "nullable": True},
            "referral_code": _str,
            "error_code": _nstr,
            "error_message": _nstr,
        },
    },
)
schema(
    "Referral",
    {
        "type": "object",
        "description": "For a clinic partner member_id, messages and notes are absent.",
        "properties": {
            "id": _int,
            "code": _str,
            "code_display": {"type": "string", "example": "K7P-2QX-9MA"},
            "status": {
                "type": "string",
                "enum": ["referred", "scheduled", "attended", "missed", "cancelled", "expired"],
            },
            "member_id": _int,
            "clinic_id": _int,
            "services": {"type": "array", "items": _str},
            "services_delivered": {"type": "array", "items": _str, "nullable": True},
            "linked_to_care": {"type": "boolean", "nullable": True},
            "urgency": {"type": "string", "enum": ["routine", "urgent"]},
            "appointment_at": {"type": "string", "format": "date-time", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "notes": _nstr,
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "from": _nstr,
                        "to": _str,
                        "at": {"type": "string", "format": "date-time"},
                        "by": {"type": "integer", "nullable": True},
                        "channel": {"type": "string", "enum": ["web", "api", "sms", "system"]},
                    },
                },
            },
            "messages": {"type": "array", "items": _ref("Message")},
            "warnings": {"type": "array", "items": _str},
        },
    },
)
schema(
    "ReferralCreate",
    {
        "type": "object",
        "required": ["member_id", "clinic_id", "services"],
        "properties": {
            "member_id": _int,
            "clinic_id": _int,
            "services": {"type": "array", "items": _str},
            "appointment_at": {"type": "string", "format": "date-time"},
            "urgency": {"type": "string", "enum": ["routine", "urgent"]},
            "notes": _str,
            "from_follow_up_id": _int,
        },
    },
)
schema(
    "FollowUp",
    {
        "type": "object",
        "properties": {
            "id": _int,
            "referral_code": _str,
            "service": _str,
            "due_on": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["due", "done", "missed"]},
        },
    },
)
schema(
    "MemberList",
    {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref("Member")}, "total": _int},
    },
)
schema(
    "ReferralList",
    {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref("Referral")}, "total": _int},
    },
)
schema(
    "FollowUpList",
    {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref("FollowUp")}, "total": _int},
    },
)
schema("Object", {"type": "object"})

document(
    "/members",
    "post",
    _op(
        "Register a member; 409 phone_registered for a known number unless shared_phone",
        "201",
        "Member",
        "400",
        "403",
        "409",
        "422",
        body="MemberCreate",
    ),
)
document(
    "/members", "get", _op("The caller's members (masked numbers)", "200", "MemberList", "403")
)
document(
    "/members/search",
    "post",
    _op(
        'Find by referral code, UIC or phone (body {"q"}: never a phone in a URL)',
        "200",
        "Object",
        "400",
        "403",
        body="Object",
    ),
)
document(
    "/members/{id}",
    "get",
    {**_op("One member (audit-logged)", "200", "Member", "403", "404"), "parameters": [MEMBER_ID]},
)
document(
    "/members/{id}",
    "patch",
    {
        **_op(
            "Change language, contact_window ('' clears), nickname; peer_educator_id reassigns",
            "200",
            "Member",
            "400",
            "403",
            "404",
            "422",
            body="Object",
        ),
        "parameters": [MEMBER_ID],
    },
)
for _p, _s in (
    ("opt-out", "Opt out of SMS (pending messages cancelled)"),
    ("opt-in", "Opt in again (consent recorded)"),
    ("safety-hold", "Safety hold: every pending message cancelled, sends blocked"),
    ("safety-release", "Release the safety hold"),
    ("anonymise", "Anonymise on her request"),
):
    document(
        f"/members/{{id}}/{_p}",
        "post",
        {**_op(_s, "200", "Member", "403", "404", "409"), "parameters": [MEMBER_ID]},
    )
document(
    "/referrals",
    "post",
    _op(
        "Create a referral; 201 with its planned messages",
        "201",
        "Referral",
        "400",
        "403",
        "422",
        body="ReferralCreate",
    ),
)
document(
    "/referrals",
    "get",
    {
        **_op("Referrals in scope", "200", "ReferralList", "400", "403"),
        "parameters": [
            {"name": n, "in": "query", "schema": _str}
            for n in ("status", "clinic_id", "from", "to", "page", "per_page")
        ],
    },
)
document(
    "/referrals/{code}",
    "get",
    {
        **_op(
            "One referral (code matched ignoring case, spaces, hyphens)",
            "200",
            "Referral",
            "403",
            "404",
        ),
        "parameters": [CODE],
    },
)
document(
    "/referrals/{code}/reschedule",
    "post",
    {
        **_op(
            "Set or move the appointment ({appointment_at})",
            "200",
            "Referral",
            "400",
            "403",
            "404",
            "409",
            "422",
            body="Object",
        ),
        "parameters": [CODE],
    },
)
document(
    "/referrals/{code}/cancel",
    "post",
    {
        **_op(
            "Cancel ({reason})", "200", "Referral", "400", "403", "404", "409", "422", body="Object"
        ),
        "parameters": [CODE],
    },
)
document(
    "/referrals/{code}/confirm",
    "post",
    {
        **_op(
            "Confirm the visit ({services_delivered, linked_to_care})",
            "200",
            "Referral",
            "400",
            "403",
            "404",
            "409",
            "422",
            body="Object",
        ),
        "parameters": [CODE],
    },
)
document(
    "/referrals/{code}/trace",
    "post",
    {
        **_op(
            "Outcome of tracing a missed appointment ({outcome})",
            "200",
            "Referral",
            "400",
            "403",
            "404",
            "409",
            "422",
            body="Object",
        ),
        "parameters": [CODE],
    },
)
document(
    "/follow-ups",
    "get",
    {
        **_op("Follow-ups of the caller's members", "200", "FollowUpList", "400", "403"),
        "parameters": [
            {"name": n, "in": "query", "schema": _str}
            for n in ("due_before", "status", "page", "per_page")
        ],
    },
)
document(
    "/follow-ups/{id}/done",
    "post",
    {
        **_op(
            "Done by a note ({note})", "200", "FollowUp", "403", "404", "409", "422", body="Object"
        ),
        "parameters": [MEMBER_ID],
    },
)
document(
    "/messages",
    "get",
    {
        **_op(
            "Messages in scope (admin; a peer educator: her members')",
            "200",
            "Object",
            "400",
            "403",
        ),
        "parameters": [
            {"name": n, "in": "query", "schema": _str}
            for n in ("referral", "status", "kind", "page", "per_page")
        ],
    },
)
