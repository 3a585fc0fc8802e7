"""Bad input refused at the edge (issue 9, item 5): ids beyond a database INTEGER, NUL and lone
surrogates, deeply nested JSON, years that overflow in UTC, digits that are not ASCII. Each is
a 4xx naming what is wrong, on SQLite and PostgreSQL (which refuses NUL in text), never a 500."""

from __future__ import annotations

import json

import pytest
from flask import jsonify

from core.api import int_arg, parse_datetime
from core.edge import MAX_INT, parse_date, parse_id
from core.errors import BadInput, ValidationFailed

BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    return response.json["error"]


def _post_json(client, path: str, text: str, headers: dict):
    return client.post(path, data=text, content_type="application/json", headers=headers)


# ---- integers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/clinics/2147483648"),
        ("GET", "/api/v1/clinics/99999999999999999999"),
        ("PATCH", "/api/v1/clinics/2147483648"),
        ("GET", "/api/v1/members/2147483648"),
        ("POST", "/api/v1/members/9223372036854775808/opt-out"),
        ("POST", "/api/v1/follow-ups/2147483648/done"),
        ("GET", f"/api/v1/clinics/{'9' * 5000}"),
    ],
)
def test_an_id_in_the_path_beyond_integer_is_404(client, api_headers, method, path):
    response = client.open(path, method=method, json={}, headers=api_headers("admin"))
    assert _error(response, 404)["code"] == "not_found"


@pytest.mark.parametrize("path", ["/clinics/2147483648", "/members/99999999999999999999"])
def test_a_page_id_beyond_integer_is_404(client, login_as, path):
    login_as("admin")
    assert client.get(path).status_code == 404


def test_path_ids_are_ascii_digits(client, api_headers, make_clinic):
    clinic_id = make_clinic().id
    headers = api_headers("viewer")
    assert client.get(f"/api/v1/clinics/{clinic_id}", headers=headers).status_code == 200
    bangla = str(clinic_id).translate(BANGLA_DIGITS)
    assert client.get(f"/api/v1/clinics/{bangla}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/clinics/{MAX_INT}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("raw", "status"),
    [("9223372036854775807", 422), ("1" * 5000, 422), ("0", 422), ("²", 400), ("1e3", 400)],
)
def test_int_arg_parses_ascii_and_bounds_it(app, raw, status):
    app.add_url_rule("/api/v1/_n", "probe_n", lambda: jsonify(int_arg("n", 1)))
    error = _error(app.test_client().get("/api/v1/_n", query_string={"n": raw}), status)
    assert set(error["fields"]) == {"n"}


@pytest.mark.parametrize("path", ["/members", "/referrals", "/admin/audit", "/admin/sms"])
def test_a_huge_page_number_on_a_page_is_the_first_page(client, login_as, path):
    login_as("admin")
    assert client.get(f"{path}?page=99999999999999999999").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/follow-ups", "/api/v1/messages"])
def test_a_huge_page_number_in_the_api_is_refused(client, api_headers, path):
    response = client.get(f"{path}?page=9223372036854775807", headers=api_headers("admin"))
    assert response.status_code in (400, 422) and "page" in response.json["error"]["fields"]


@pytest.mark.parametrize("number", ["99999999999999999999", "-2147483648"])
def test_a_json_integer_beyond_integer_is_422_naming_the_field(client, api_headers, number):
    body = f'{{"member_id": {number}, "clinic_id": 1, "services": ["prep"]}}'
    response = _post_json(client, "/api/v1/referrals", body, api_headers())
    assert set(_error(response, 422)["fields"]) == {"member_id"}


# ---- NUL and lone surrogates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/clinics?q=%00", "q"),
        ("/api/v1/clinics?q=a%00b&district=Dhaka", "q"),
        ("/api/v1/clinics?%00=1", "\ufffd"),
        ("/api/v1/referrals/AB%00CD", "path"),
    ],
)
def test_nul_in_the_url_is_400(client, api_headers, path, field):
    error = _error(client.get(path, headers=api_headers("admin")), 400)
    assert error["code"] == "bad_text" and set(error["fields"]) == {field}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"language": "bn", "nickname": "\\ud800"}', "nickname"),
        ('{"language": "bn", "nickname": "a\\u0000b"}', "nickname"),
        ('{"language": "bn", "uic": "x\\udfff"}', "uic"),
        ('{"q": {"deep": ["ok", "\\u0000"]}}', "q[deep][1]"),
        ('{"q": {"de\\u0000ep": 1}}', "q[de\ufffdep]"),
    ],
)
def test_nul_or_a_lone_surrogate_in_json_is_400_naming_the_field(client, api_headers, body, field):
    response = _post_json(client, "/api/v1/members", body, api_headers())
    assert set(_error(response, 400)["fields"]) == {field}


def test_the_check_runs_before_signing_in(client):
    error = _error(client.get("/api/v1/clinics?q=%00"), 400)  # not 401: nothing reached a view
    assert error["code"] == "bad_text"
    assert _error(client.post("/webhooks/twilio/status?m=%00"), 400)["code"] == "bad_text"


@pytest.mark.parametrize("language", ["en", "bn"])
def test_nul_in_the_login_form_is_a_400_page_in_her_language(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post("/login", data={"email": "a\x00@x.org", "password": "x"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    expected = "a character that cannot be used" if language == "en" else "ব্যবহার করা যায় না"
    assert expected in text


def test_nul_in_a_signed_in_form_is_a_400_page(client, login_as):
    login_as("peer_educator")
    assert client.post("/search", data={"q": "K7P\x00"}).status_code == 400
    assert client.get("/referrals?status=%00").status_code == 400


# ---- JSON shape ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_400(client, api_headers, depth):
    body = '{"nickname": ' + "[" * depth + "]" * depth + "}"
    error = _error(_post_json(client, "/api/v1/members", body, api_headers()), 400)
    assert "levels deep" in error["message"]


def test_json_nested_32_deep_reaches_the_view(client, api_headers):
    body = '{"code": ' + "[" * 31 + "]" * 31 + ', "name_en": "x", "name_bn": "x"}'
    response = _post_json(client, "/api/v1/services", body, api_headers("admin"))
    assert set(_error(response, 422)["fields"]) == {"code"}  # the model's answer, not the edge's


def test_nan_is_not_json_and_a_number_too_large_for_a_float_is_422(client, api_headers):
    headers = api_headers("admin")
    assert _post_json(client, "/api/v1/clinics", '{"latitude": NaN}', headers).status_code == 400
    response = _post_json(client, "/api/v1/clinics", '{"latitude": 1e400}', headers)
    assert set(_error(response, 422)["fields"]) == {"latitude"}


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/clinics?open_at=9999-12-31T23:59:59-12:00", "open_at"),
        ("/api/v1/clinics?open_at=0001-01-01T00:00:00%2B14:00", "open_at"),
        ("/api/v1/referrals?from=0001-01-01", "from"),
        ("/api/v1/referrals?to=9999-12-31T23:59:59-12:00", "to"),
        ("/api/v1/reports/cascade?to=9999-12-31", "to"),
    ],
)
def test_a_year_out_of_range_is_422_naming_the_field(client, api_headers, path, field):
    assert set(_error(client.get(path, headers=api_headers("admin")), 422)["fields"]) == {field}


def test_a_body_time_out_of_range_is_422(client, api_headers):
    body = {"member_id": 1, "clinic_id": 1, "services": ["prep"]}
    body["appointment_at"] = "9999-12-31T23:59:59-12:00"
    response = _post_json(client, "/api/v1/referrals", json.dumps(body), api_headers())
    assert set(_error(response, 422)["fields"]) == {"appointment_at"}


@pytest.mark.parametrize("query", ["to=9999-12-31", "date_from=0001-01-01", "date_to=9999-12-31"])
def test_a_year_out_of_range_on_a_page_is_a_field_error(client, login_as, query):
    login_as("admin")
    path = "/reports" if query.startswith("to") else "/admin/sms"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "between the years 1900 and 2200" in response.get_data(as_text=True)


def test_parsers_keep_years_in_range_and_digits_ascii(app):
    with pytest.raises(ValidationFailed):
        parse_datetime("9999-12-31T23:59:59-12:00", "at")
    with pytest.raises(ValidationFailed):
        parse_date("1899-12-31", "day")
    with pytest.raises(BadInput):
        parse_date("২০২৬-০১-০১", "day")
    assert parse_date("2200-12-31", "day").year == 2200
    assert [parse_id(t) for t in ("12", "²", "১", "0", "2147483648", None)] == [12] + [None] * 5


# ---- page forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("chosen", ["²", "2147483648", "99999999999999999999"])
def test_reassigning_to_an_id_that_is_no_id_is_refused(client, login_as, api_headers, chosen):
    body = {"phone": "01712345678", "language": "bn", "sms_consent": False}
    created = client.post("/api/v1/members", json=body, headers=api_headers())
    login_as("admin")
    member_id = created.json["id"]
    response = client.post(f"/members/{member_id}/reassign", data={"peer_educator_id": chosen})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_form_fields_hold_only_what_a_column_holds(app):
    from flask_wtf import FlaskForm

    from core.edge_forms import DateField, IntegerField

    class Probe(FlaskForm):
        n = IntegerField()
        day = DateField()

    data = {"n": "99999999999999999999", "day": "0001-01-01"}
    with app.test_request_context(method="POST", data=data):
        form = Probe()
        assert not form.validate()
        assert set(form.errors) == {"n", "day"}
    with app.test_request_context(method="POST", data={"n": "42", "day": "2026-01-31"}):
        form = Probe()
        assert form.validate() and form.n.data == 42


@pytest.mark.parametrize("user_id", ["²:1", "1:²", "99999999999999999999:1"])
def test_a_session_id_that_is_not_ascii_digits_signs_out(client, user_id):
    # Flask-Login's "<id>:<version>" is ours (signed), yet read as a column would be.
    with client.session_transaction() as session:
        session["_user_id"], session["sid"] = user_id, "x"
    response = client.get("/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_signed_callback_whose_message_id_is_not_ascii_digits_is_ignored(app_config):
    # Our own id rides in the callback URL we give Twilio; '²' passed isdigit() and broke int().
    import base64
    import hashlib
    import hmac

    from core import create_app

    app_config.update(TWILIO_AUTH_TOKEN="token", PUBLIC_BASE_URL="https://harc.example")
    client = create_app(app_config).test_client()
    form = {"MessageSid": "SM0", "MessageStatus": "delivered"}
    url = "https://harc.example/webhooks/twilio/status?m=%C2%B2"
    signed = url + "".join(k + form[k] for k in sorted(form))
    digest = hmac.new(b"token", signed.encode(), hashlib.sha1).digest()
    headers = {"X-Twilio-Signature": base64.b64encode(digest).decode()}
    response = client.post("/webhooks/twilio/status?m=%C2%B2", data=form, headers=headers)
    assert response.status_code == 204


# ---- 405 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed", "json_error"),
    [
        ("/api/v1/services", "GET", True),
        ("/webhooks/twilio/status", "POST", True),
        ("/tasks", "GET", False),
    ],
)
def test_405_says_which_methods_are_allowed(client, api_headers, path, allowed, json_error):
    response = client.delete(path, headers=api_headers("admin"))
    assert response.status_code == 405
    assert allowed in response.headers["Allow"].split(", ")
    assert response.is_json is json_error
