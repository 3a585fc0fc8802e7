"""Every POST form in templates/ carries the one-time token, unless it posts to an endpoint that
core.once exempts (sign-in, sign-out, the language switch, the searches)."""

from __future__ import annotations

import re
from pathlib import Path

from core.once import EXEMPT

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>(.*?)</form>", re.I | re.S)
ACTION = re.compile(r"url_for\(\s*['\"]([\w.]+)['\"]")
# Forms without an action post to their own page: the endpoint that renders the template.
SELF_POSTING_EXEMPT = {"accounts/login.html"}


def _post_forms():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        for match in POST_FORM.finditer(path.read_text(encoding="utf-8")):
            tag = match.group(0)[: match.group(0).index(">") + 1]
            yield name, tag, match.group(1)


def _exempt(name: str, tag: str) -> bool:
    action = ACTION.search(tag)
    if action is None:
        return name in SELF_POSTING_EXEMPT
    return action.group(1) in EXEMPT


def test_every_post_form_carries_the_one_time_token():
    forms = list(_post_forms())
    assert len(forms) > 20  # the scan does find the forms
    missing = [
        f"{name}: {tag}"
        for name, tag, body in forms
        if "once_field()" not in body and not _exempt(name, tag)
    ]
    assert not missing, "POST forms without {{ once_field() }}:\n" + "\n".join(missing)


def test_exempt_forms_carry_no_token_they_would_not_use():
    """A token on an exempt form would never be claimed: it is a sign of a wrong exemption."""
    extra = [
        f"{name}: {tag}"
        for name, tag, body in _post_forms()
        if "once_field()" in body and _exempt(name, tag)
    ]
    assert not extra, "\n".join(extra)


def test_the_token_is_a_hidden_input_that_changes_with_each_page(app):
    from core.once import FIELD, TOKEN_TEXT, once_field

    first, second = str(once_field()), str(once_field())
    assert first != second
    value = re.search(r'value="([^"]+)"', first)
    assert f'type="hidden" name="{FIELD}"' in first and value and TOKEN_TEXT.fullmatch(value[1])
