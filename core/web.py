"""One way to run a unit of work at an edge (a page's POST, an API view, a CLI command, a job).

Services flush and never commit; the edge commits when the work succeeds and rolls everything
back when a rule refuses it (DomainError), or when anything else fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from flask import flash

from core.errors import DomainError
from core.extensions import db

V = TypeVar("V", bound=Callable[..., Any])


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit when the block ends normally; on any exception roll back and re-raise it."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def transactional(view: V) -> V:
    """API view decorator: the view owns the transaction (commit on success, rollback on a
    refusal, which the error handlers turn into the JSON error of CONTRACT.md)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@contextmanager
def cli_unit(*, show_fields: bool = False) -> Iterator[None]:
    """A CLI command's transaction: a refusal rolls back and becomes a ClickException (its
    `extra["errors"]` lines, if any, go to stderr; `show_fields` adds the field messages)."""
    try:
        with unit_of_work():
            yield
    except DomainError as exc:
        for line in exc.extra.get("errors", []):
            click.echo(line, err=True)
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items()) if show_fields else ""
        raise click.ClickException(f"{exc.message} {details}".strip()) from None


def attach_errors(
    form: Any,
    exc: DomainError,
    *,
    aliases: dict[str, str] | None = None,
    flash_conflict: bool = False,
) -> None:
    """A service's refusal shown on the form: on the named fields (a field may be shown under
    another one, `aliases`), else as a flash; `flash_conflict` flashes a 409 even when placed."""
    placed = False
    for name, message in exc.localized_fields().items():
        target = getattr(form, (aliases or {}).get(name, name), None)
        if target is not None:
            target.errors = [*list(target.errors or []), message]
            placed = True
    if not placed or (flash_conflict and exc.status == 409):
        flash(exc.localized(), "error")


def fail(exc: DomainError) -> None:
    """Undo everything and say why (in the reader's language)."""
    db.session.rollback()
    flash(exc.localized(), "error")


def submit(
    form: Any,
    action: Callable[[], Any],
    *,
    done: str | Callable[[Any], str | None] | None,
    invalid: str | None = None,
    refused: Callable[[DomainError], None] | None = None,
) -> Any:
    """The shape of every one-form POST: validate, call the service, commit and say `done` (a
    text, or a function of the service's result giving one or None); on a rule's refusal roll
    back and say why (or hand the refusal to `refused`, e.g. to show it on the form). Returns
    the service's result (True when it returns None), or None when nothing was done."""
    if not form.validate_on_submit():
        if invalid:
            flash(invalid, "error")
        return None
    try:
        result = action()
    except DomainError as exc:
        if refused is None:
            fail(exc)
        else:
            db.session.rollback()
            refused(exc)
        return None
    db.session.commit()
    message = done(result) if callable(done) else done
    if message:
        flash(message, "success")
    return result if result is not None else True
