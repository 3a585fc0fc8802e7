"""The API's models at work: each endpoint declares its body, query and response models once;
the view gets them parsed, and GET /api/v1/openapi.json is generated from the same models."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from flask import Flask, current_app, request
from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.routing.converters import NumberConverter

from core.errors import BadInput, ValidationFailed
from core.i18n import N_
from core.schemas import MAX_ID, Error

PREFIX = "/api/v1"
ERROR_MEANINGS = {
    400: "A malformed body, or a query value that cannot be parsed (named in `fields`).",
    401: "No valid Bearer token.",
    403: "The caller's role may not use this endpoint.",
    404: "Not found, or outside the caller's scope.",
    409: "The record's state does not allow this.",
    422: "Invalid fields (named in `fields`).",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any text of 1 to 255 characters, new for each action. The same key and body "
    "from the same user on this path within 24 hours answers the first 2xx response again "
    "(with `Idempotent-Replayed: true`) and creates nothing; the same key with another body is "
    "422 `idempotency_mismatch`; while the first is in progress, 409 `idempotency_in_flight` "
    "(free again 60 seconds after a request that died). Empty or longer: 400.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


@dataclass(frozen=True)
class Operation:
    """What one endpoint takes and answers, for parsing and for the document."""

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None  # a model or a type such as list[Service]; None: no JSON body
    status: int = 200
    errors: tuple[int, ...] = ()
    description: str | None = None
    idempotent: bool = False  # honours Idempotency-Key (core.idempotency)


def endpoint(summary: str, **spec: Any) -> Callable:
    """Declare an API view's models (see Operation): the view receives `body=` and `query=`
    already parsed; in tests its answers are checked against `response`. `idempotent=True`:
    the view honours the Idempotency-Key header (run inside the view's transaction)."""
    op = Operation(summary, **spec)

    def decorator(view: Callable) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            if op.body is not None:
                kwargs["body"] = parse_body(op.body)
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            return view(*args, **kwargs)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if op.idempotent:
                from core import idempotency
                from core.api import api_user

                result = idempotency.run(api_user().id, lambda: call(*args, **kwargs))
            else:
                result = call(*args, **kwargs)
            if op.response is not None and current_app.testing:
                _check_response(op, result)
            return result

        wrapped.openapi = op
        return wrapped

    return decorator


def _fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        name = str(error["loc"][0]) if error["loc"] else "body"
        message = "Required." if error["type"] == "missing" else error["msg"] + "."
        fields.setdefault(name, message)
    return fields


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body through `model`: 400 when it is not a JSON object, 422 naming bad fields."""
    from core.api import json_body

    try:
        return model.model_validate(json_body())
    except ValidationError as exc:
        fields = _fields(exc)
        first = next(iter(fields))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": fields[first]},
            fields=fields,
        ) from None


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return origin is list


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string through `model` (an empty value counts as absent): 400 for a value that
    does not parse, 422 for one out of range or unknown, naming the field."""
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if _is_list(field.annotation):
            values = [v for v in request.args.getlist(key) if v != ""]
            if values:
                data[key] = values
        elif request.args.get(key, "") != "":
            data[key] = request.args[key]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = _fields(exc)
        first = next(iter(fields))
        # CONTRACT.md: a value that cannot be parsed is a 400; one that parses but is out of
        # range or an unknown code (`per_page=101`, `status=bogus`) is a 422.
        error = BadInput if _unparsable(exc) else ValidationFailed
        raise error(f"{first}: {fields[first]}", fields=fields) from None


def _unparsable(exc: ValidationError) -> bool:
    """Whether any error is of the form "not a number/date/…" rather than "not allowed"."""
    return any(
        e["type"].endswith(("_parsing", "_type"))
        or e["type"] in ("string_pattern_mismatch", "missing")
        for e in exc.errors()
    )


@cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


def _check_response(op: Operation, result: Any) -> None:
    """Tests only: the answer must fit the documented model (the document must not drift)."""
    response = current_app.make_response(result)
    if response.status_code == op.status:
        _adapter(op.response).validate_python(response.get_json())


# ---- the document ---------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _path_parameter(rule: Any, name: str) -> dict[str, Any]:
    converter = rule._converters[name]
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if isinstance(converter, NumberConverter) and converter.num_convert is int:
        low = converter.min if converter.min is not None else (None if converter.signed else 0)
        schema = {"type": "integer", "maximum": min(converter.max or MAX_ID, MAX_ID)}
        if low is not None:
            schema["minimum"] = low
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _no_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query value is never JSON null: `X | None` is documented as X."""
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        schema = {**options[0], **rest}
    schema.pop("title", None)
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = _no_null(dict(prop))
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop.pop("description")
        params.append(param)
    return params


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(op: Operation, view: Any, has_path_params: bool, out: Any) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": op.summary}
    if out is not None:
        ok["content"] = _json(out)
    codes = {400, 401, *op.errors}
    if getattr(view, "required_permission", None):
        codes.add(403)
    if has_path_params:
        codes.add(404)
    if op.body is not None or op.query is not None:
        codes.add(422)  # a value that parses but is out of range
    if op.idempotent:
        codes.update((409, 422))  # idempotency_in_flight, idempotency_mismatch
        ok["headers"] = {
            "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request "
                "with the same Idempotency-Key and body (nothing was created again).",
                "schema": {"type": "string", "enum": ["true"]},
            }
        }
    error = {"$ref": "#/components/schemas/Error"}
    responses = {str(op.status): ok}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERROR_MEANINGS[code], "content": _json(error)}
    return responses


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every API view declared with `endpoint`."""
    entries = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        op = getattr(view, "openapi", None)
        if op is not None and rule.rule.startswith(PREFIX):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                entries.append((rule, method.lower(), view, op))
    inputs: list[tuple[Any, str, TypeAdapter]] = [("Error", "serialization", _adapter(Error))]
    for rule, method, _view, op in entries:
        for part, mode in (("body", "validation"), ("query", "validation")):
            if getattr(op, part) is not None:
                inputs.append(((rule.endpoint, method, part), mode, _adapter(getattr(op, part))))
        if op.response is not None:
            inputs.append(((rule.endpoint, method, "out"), "serialization", _adapter(op.response)))
    schemas, definitions = TypeAdapter.json_schemas(
        inputs, ref_template="#/components/schemas/{model}"
    )
    defs = definitions.get("$defs", {})
    query_models: set[str] = set()
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, view, op in entries:
        path = _PARAM.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
        params = [_path_parameter(rule, name) for name in _PARAM.findall(rule.rule)]
        if op.query is not None:
            name = schemas[((rule.endpoint, method, "query"), "validation")]["$ref"].split("/")[-1]
            query_models.add(name)
            params += _query_parameters(defs[name])
        out = schemas.get(((rule.endpoint, method, "out"), "serialization"))
        operation: dict[str, Any] = {
            "operationId": rule.endpoint.removeprefix("api."),
            "summary": op.summary,
            "responses": _responses(op, view, bool(params and "{" in path), out),
        }
        if op.description:
            operation["description"] = op.description
        if op.idempotent:
            params.append(dict(IDEMPOTENCY_PARAMETER))
        if params:
            operation["parameters"] = params
        if op.body is not None:
            body = schemas[((rule.endpoint, method, "body"), "validation")]
            operation["requestBody"] = {"required": True, "content": _json(body)}
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "HARC referrals API", "version": "1"},
        "servers": [{"url": PREFIX}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {k: v for k, v in defs.items() if k not in query_models},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
