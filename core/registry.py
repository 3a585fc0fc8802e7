"""What the packages contribute to one app, kept on it (`app.extensions["harc"]`).

Each package's `init_app(app)` fills this registry; core reads it (the scheduler its jobs, /healthz
its checks, `retention purge` its steps, `seed-demo` its seed steps, the API its routes, the admin
home its links). Nothing is registered when a module is imported, so two apps in one process (the
tests) do not share what they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from core.api import ApiRoutes

KEY = "harc"

RetentionStep = Callable[[datetime], dict]


@dataclass(frozen=True)
class Job:
    """A periodic job: `func()` runs in an app context; `exclusive` jobs run once per tick."""

    name: str
    func: Callable[[], object]
    seconds: int
    exclusive: bool = True


@dataclass(frozen=True)
class NameSource:
    """Where the names of one kind of row come from, for a package that stores only their ids
    (the SMS log shows clinics and peer educators): columns of the owning package's model."""

    id: Any  # the id column, e.g. Clinic.id
    name: Any  # the name to show, a column or an SQL expression
    choosable: Any = None  # the rows a filter offers (None: every row); a lookup by id sees all
    order_by: tuple[Any, ...] = ()  # the filter's order (default: by name)


@dataclass
class Registry:
    """The packages' contributions to one app, in the order the factory initialised them."""

    api_routes: list[ApiRoutes] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    health_checks: list[Callable[[dict], bool]] = field(default_factory=list)
    retention_steps: list[tuple[str, RetentionStep]] = field(default_factory=list)
    seed_steps: list[Callable[[], list[str]]] = field(default_factory=list)
    # True when the database already holds data (`seed-demo --if-empty` then does nothing).
    seed_guard: Callable[[], bool] | None = None
    admin_links: list[tuple[str, object]] = field(default_factory=list)
    role_homes: dict[str, str] = field(default_factory=dict)
    # Bearer token → its user, or None (accounts fills it, like Flask-Login's user_loader).
    token_loader: Callable[[str], Any] | None = None
    # Clinic feedback names a member only when this says the caller may see her (referrals).
    feedback_member_scope: Callable[..., bool] | None = None
    # kind ("clinic", "peer_educator") → where its names are read; filled by the owning package.
    name_sources: dict[str, NameSource] = field(default_factory=dict)
    # Sections of the peer educator's task list from other packages (safety's open incidents):
    # `section(actor, now)` gives a referrals.services.tasks.TaskSection, or None for nothing.
    task_sections: list[Callable[[Any, datetime], Any]] = field(default_factory=list)
    # Run by the factory once every package is initialised (e.g. "no admin exists" warnings).
    startup_checks: list[Callable[[Flask], None]] = field(default_factory=list)

    def add_job(
        self, name: str, func: Callable[[], object], seconds: int, exclusive: bool = True
    ) -> None:
        """A periodic job; its arguments carry no data (only its name reaches the job store)."""
        self.jobs[name] = Job(name, func, seconds, exclusive)

    def add_retention_step(self, name: str, step: RetentionStep) -> None:
        """A step of `retention purge`: `step(now)` flushes and returns counts."""
        if any(existing == name for existing, _ in self.retention_steps):
            raise ValueError(f"retention step {name!r} is registered twice")
        self.retention_steps.append((name, step))


def init_registry(app: Flask) -> Registry:
    """A fresh registry on the app (the factory calls this before any package's init_app)."""
    app.extensions[KEY] = Registry()
    return app.extensions[KEY]


def registry(app: Flask | None = None) -> Registry:
    """The registry of `app`, by default of the current app."""
    target = app if app is not None else current_app
    return target.extensions[KEY]
