"""A field in error is marked for screen readers: `aria-invalid` and `aria-describedby` pointing
at its message (templates/_form.html's `field` macro, used by every page form)."""

from __future__ import annotations

import re

from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from core.forms import Form

MACRO = '{% from "_form.html" import field %}{{ field(form.name) }}|{{ field(form.agree) }}'


class _Form(Form):
    name = StringField("Name", validators=[DataRequired()])
    agree = BooleanField("Agree", validators=[DataRequired()])


def test_a_field_in_error_names_its_message(app):
    with app.test_request_context("/", method="POST"):
        form = _Form(formdata=MultiDict({}), meta={"csrf": False})
        assert not form.validate()
        html = render_template_string(MACRO, form=form)
    for name in ("name", "agree"):
        tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{name}-error"' in tag
        assert f'<p class="field-error" role="alert" id="{name}-error">' in html


def test_a_valid_field_is_not_marked(app):
    with app.test_request_context("/", method="POST"):
        form = _Form(formdata=MultiDict({"name": "Shapla", "agree": "y"}), meta={"csrf": False})
        assert form.validate()
        html = render_template_string(MACRO, form=form)
    assert "aria-invalid" not in html and "field-error" not in html
