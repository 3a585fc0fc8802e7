"""sms texts: plain text with named placeholders, one per variant

Revision ID: 5c3f2e1b4a03
Revises: 4b2e1d0a3f02
Create Date: 2026-12-04 18:30:00

An admin's SMS text was a sandboxed Jinja template per (kind, language, shared phone), with
`{% if time %}` choosing between the cases. It becomes plain text with `{name}` placeholders per
(kind, variant, language), the variant naming the case: "appointment", "no_appointment",
"follow_up", and the same with "shared_" for a shared phone.

Upgrade converts each stored template once per case of its kind, by evaluating its `{% if %}`s
with the values that case has (as the old renderer did: a missing value was false). A template
that uses anything a plain text cannot say (a filter other than `capfirst` where a sentence
starts, a comparison, a loop, a literal brace, a value its case lacks) is dropped for that case,
so the default text applies again, and the log names it. Downgrade joins the cases of a template
back with `{% if time %}` (the old default stands in for a case without an override). The
conversion is frozen here: it must not change when the application's code does.
"""

import logging

import sqlalchemy as sa
from alembic import op
from jinja2 import Environment, TemplateSyntaxError, nodes

# revision identifiers, used by Alembic.
revision = "5c3f2e1b4a03"
down_revision = "4b2e1d0a3f02"
branch_labels = None
depends_on = None


CASES = {
    "referral_created": ("appointment", "no_appointment"),
    "appointment_changed": ("appointment",),
    "reminder_24h": ("appointment",),
    "reminder_2h": ("appointment",),
    "missed_appointment": ("appointment",),
    "follow_up_due": ("follow_up",),
}
# The values a message of each case had (the others were missing, hence false).
PRESENT = {
    "appointment": {"code", "place", "day", "time"},
    "no_appointment": {"code", "place"},
    "follow_up": {"code", "due_day"},
}
# The old defaults of referral_created's two cases, for a downgrade that has only one of them.
OLD_DEFAULTS = {
    (False, "en", "appointment"): "Your visit at {{ place }}: {{ day }}, {{ time }}. Show code {{ code }}.",
    (False, "en", "no_appointment"): "Your code for {{ place }}: {{ code }}. Ask your apa for a time.",
    (False, "bn", "appointment"): "{{ place }}-এ আপনার সময় {{ day }}, {{ time }}। কোড {{ code }}",
    (False, "bn", "no_appointment"): "{{ place }}-এ আপনার কোড {{ code }}। সময়ের জন্য আপাকে বলুন।",
    (True, "en", "appointment"): "{{ day|capfirst }}, {{ time }}. Code {{ code }}.",
    (True, "en", "no_appointment"): "Code {{ code }}.",
    (True, "bn", "appointment"): "{{ day }}, {{ time }}। কোড {{ code }}",
    (True, "bn", "no_appointment"): "কোড {{ code }}",
}  # fmt: skip
SHARED = "shared_"
_SENTENCE_END = ".!?।\n"


class Unsafe(Exception):
    """This template cannot be said as plain text for this case."""


def _starts_sentence(parts):
    before = "".join(parts).rstrip()
    return not before or before[-1] in _SENTENCE_END


def _truth(node, present):
    """The value of an {% if %} test for a case, or Unsafe."""
    if isinstance(node, nodes.Name):
        return node.name in present
    if isinstance(node, nodes.Const):
        return bool(node.value)
    if isinstance(node, nodes.Not):
        return not _truth(node.node, present)
    if isinstance(node, nodes.And):
        return _truth(node.left, present) and _truth(node.right, present)
    if isinstance(node, nodes.Or):
        return _truth(node.left, present) or _truth(node.right, present)
    raise Unsafe(f"a test a plain text cannot make ({type(node).__name__})")


def _expr(node, present, parts):
    """Append an output expression's plain form to parts."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        _text(node.value, parts)
    elif isinstance(node, nodes.Name):
        if node.name not in present:
            raise Unsafe(f"{node.name} has no value in this case")
        parts.append("{" + node.name + "}")
    elif isinstance(node, nodes.Filter) and node.name == "capfirst" and node.node is not None:
        if not (isinstance(node.node, nodes.Name) and _starts_sentence(parts)):
            raise Unsafe("capfirst where no sentence starts")
        _expr(node.node, present, parts)
    elif isinstance(node, nodes.CondExpr) and node.expr2 is not None:
        _expr(node.expr1 if _truth(node.test, present) else node.expr2, present, parts)
    elif isinstance(node, nodes.Concat):
        for child in node.nodes:
            _expr(child, present, parts)
    else:
        raise Unsafe(f"an expression a plain text cannot hold ({type(node).__name__})")


def _text(data, parts):
    if "{" in data or "}" in data:
        raise Unsafe("a literal brace")
    parts.append(data)


def _body(body, present, parts):
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    _text(child.data, parts)
                else:
                    _expr(child, present, parts)
        elif isinstance(node, nodes.If):
            branches = [node, *node.elif_]
            chosen = next((b.body for b in branches if _truth(b.test, present)), node.else_)
            _body(chosen, present, parts)
        else:
            raise Unsafe(f"a construct a plain text cannot hold ({type(node).__name__})")


def to_plain(source, case):
    """The plain text of a Jinja template for one case; Unsafe when there is none."""
    try:
        tree = Environment(autoescape=False).parse(source)  # noqa: S701 - parsed, never rendered
    except TemplateSyntaxError as exc:
        raise Unsafe(f"unreadable ({exc.message})") from exc
    parts = []
    _body(tree.body, PRESENT[case], parts)
    text = "".join(parts).strip()
    if not text:
        raise Unsafe("empty in this case")
    return text


def to_jinja(text):
    """A plain text as the old template syntax ({day} where a sentence starts: capfirst)."""
    parts = []
    for i, piece in enumerate(text.split("{")):
        if i == 0:
            parts.append(piece)
            continue
        name, _, rest = piece.partition("}")
        capital = name in ("day", "due_day") and _starts_sentence(parts)
        parts.append("{{ " + name + ("|capfirst" if capital else "") + " }}" + rest)
    return "".join(parts)


def _table(shared_phone):
    columns = [sa.column("id", sa.Integer), sa.column("kind", sa.String),
               sa.column("lang", sa.String), sa.column("source", sa.Text),
               sa.column("updated_at", sa.DateTime(timezone=True)),
               sa.column("updated_by_id", sa.Integer)]  # fmt: skip
    columns.append(sa.column("shared_phone", sa.Boolean) if shared_phone else
                   sa.column("variant", sa.String))  # fmt: skip
    return sa.table("sms_templates", *columns)


def _keep(row):
    return {"kind": row.kind, "lang": row.lang, "updated_at": row.updated_at,
            "updated_by_id": row.updated_by_id}  # fmt: skip


def upgrade():
    bind = op.get_bind()
    old = bind.execute(sa.select(_table(True))).all()
    # Looked up now: env.py's logging set-up has run, and Alembic's own logger reaches the console.
    log = logging.getLogger("alembic.runtime.migration")
    new = []
    for row in old:
        for case in CASES.get(row.kind, ()):
            variant = (SHARED if row.shared_phone else "") + case
            try:
                new.append({**_keep(row), "variant": variant, "source": to_plain(row.source, case)})
            except Unsafe as exc:
                log.warning("SMS text %s/%s/%s cannot be converted (%s): the default applies "
                            "again", row.kind, variant, row.lang, exc)  # fmt: skip
    op.execute(sa.delete(_table(True)))
    with op.batch_alter_table("sms_templates") as batch_op:
        batch_op.drop_constraint("uq_sms_templates_variant", type_="unique")
        batch_op.drop_column("shared_phone")
        batch_op.add_column(sa.Column("variant", sa.String(length=32), nullable=False))
        batch_op.create_unique_constraint("uq_sms_templates_variant", ["kind", "variant", "lang"])
    if new:
        op.bulk_insert(_table(False), new)


def downgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(_table(False))).all()
    groups = {}
    for row in rows:
        shared = row.variant.startswith(SHARED)
        key = (row.kind, row.lang, shared)
        groups.setdefault(key, {"row": row, "cases": {}})["cases"][
            row.variant.removeprefix(SHARED)
        ] = to_jinja(row.source)
    old = []
    for (kind, lang, shared), group in groups.items():
        cases = group["cases"]
        if kind == "referral_created":
            with_time = cases.get("appointment") or OLD_DEFAULTS[(shared, lang, "appointment")]
            without = cases.get("no_appointment") or OLD_DEFAULTS[(shared, lang, "no_appointment")]
            source = "{% if time %}" + with_time + "{% else %}" + without + "{% endif %}"
        else:
            source = next(iter(cases.values()))
        old.append({**_keep(group["row"]), "shared_phone": shared, "source": source})
    op.execute(sa.delete(_table(False)))
    with op.batch_alter_table("sms_templates") as batch_op:
        batch_op.drop_constraint("uq_sms_templates_variant", type_="unique")
        batch_op.drop_column("variant")
        batch_op.add_column(sa.Column("shared_phone", sa.Boolean(), nullable=False))
        batch_op.create_unique_constraint(
            "uq_sms_templates_variant", ["kind", "lang", "shared_phone"]
        )
    if old:
        op.bulk_insert(_table(True), old)
