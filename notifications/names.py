"""Names the SMS pages show for ids that belong to other packages (a clinic, a peer educator).

Notifications stores a message's `clinic_id` and `peer_educator_id` but knows neither table. The
package that owns the rows puts a `core.registry.NameSource` in the app's registry at `init_app`
(`registry(app).name_sources[kind]`; in core, because clinics and accounts may not import
notifications): its id column, the name to show, which rows a filter offers, and their order. A
kind nobody registered has no names (empty choices, None).
"""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db
from core.registry import NameSource, registry


def _source(kind: str) -> NameSource | None:
    return registry().name_sources.get(kind)


def choices(kind: str) -> list[tuple[int, str]]:
    """(id, name) of the rows a filter offers, in the source's order."""
    source = _source(kind)
    if source is None:
        return []
    query = sa.select(source.id, source.name).order_by(*(source.order_by or (source.name,)))
    if source.choosable is not None:
        query = query.where(source.choosable)
    return [(i, n) for i, n in db.session.execute(query)]


def name_of(kind: str, row_id: int | None) -> str | None:
    """The name of one row (any row, choosable or not), or None."""
    source = _source(kind)
    if source is None or not row_id:
        return None
    return db.session.scalar(sa.select(source.name).where(source.id == row_id))


def all_names(kind: str) -> list[str]:
    """Every row's name that is not empty (e.g. for the no-clinic-name-in-an-SMS check)."""
    source = _source(kind)
    if source is None:
        return []
    return [name for name in db.session.scalars(sa.select(source.name)) if name]
