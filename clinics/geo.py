"""Distances: the haversine formula in SQL (for ordering in the database) and in Python."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import sqlalchemy as sa

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 111.2


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def distance_sql(lat_col: Any, lon_col: Any, lat: float, lon: float) -> sa.ColumnElement[float]:
    """The haversine distance (km) from a fixed point to a row's coordinates, as SQL.

    The point's radians and cosine are computed here, so the database evaluates only
    sin/cos/asin/sqrt per row (PostgreSQL has them; SQLite has them when compiled with math
    functions, and `register_sqlite_math` adds them otherwise).
    """
    rad = math.pi / 180
    p1 = lat * rad
    half_dp = (lat_col * rad - p1) / 2
    half_dl = (lon_col * rad - lon * rad) / 2
    sin_dp = sa.func.sin(half_dp)
    sin_dl = sa.func.sin(half_dl)
    a = sin_dp * sin_dp + math.cos(p1) * sa.func.cos(lat_col * rad) * sin_dl * sin_dl
    return 2 * EARTH_RADIUS_KM * sa.func.asin(sa.func.sqrt(a))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) of a box that holds every point within `km`."""
    dlat = km / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(min(89.0, abs(lat) + dlat))), 0.01)
    dlon = km / (KM_PER_DEGREE_LAT * cos_lat)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def install_sqlite_math(engine: sa.Engine) -> None:
    """Every new SQLite connection of the engine gets the math functions it lacks."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", register_sqlite_math)


def register_sqlite_math(dbapi_connection: Any, _record: Any) -> None:
    """Give SQLite sin/cos/asin/sqrt as Python functions when it was built without them."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        dbapi_connection.execute("SELECT sin(0), cos(0), asin(0), sqrt(1)").fetchall()
    except sqlite3.OperationalError:
        for name, func in (
            ("sin", math.sin),
            ("cos", math.cos),
            ("asin", lambda x: math.asin(max(-1.0, min(1.0, x)))),
            ("sqrt", lambda x: math.sqrt(max(0.0, x))),
        ):
            dbapi_connection.create_function(name, 1, _null_safe(func), deterministic=True)


def _null_safe(func: Any) -> Any:
    return lambda x: None if x is None else func(x)
