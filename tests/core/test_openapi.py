"""The OpenAPI document is valid OpenAPI 3.1 and lists every API endpoint."""

import re

from openapi_spec_validator import OpenAPIV31SpecValidator


def _shape(path: str) -> str:
    # Parameter names may differ ({id} in the document, <int:clinic_id> in the route).
    return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path)


def test_openapi_document_is_valid_and_complete(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200  # no token needed
    document = response.json
    assert document["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(document).validate()
    documented = {
        (_shape(path), method) for path, ops in document["paths"].items() for method in ops
    }
    missing = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (_shape(rule.rule.removeprefix("/api/v1")), method.lower()) not in documented
    ]
    assert missing == []
