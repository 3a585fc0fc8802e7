"""The clinic directory: services, clinics, opening hours, community feedback.

Depends on core only (never on referrals, notifications or safety). Its public module is
`clinics.services`. It offers a hook rather than importing upward: whether an actor may name a
member in feedback is asked of `registry(app).feedback_member_scope`, which referrals fills. It
gives notifications the clinic names the SMS pages show as a `NameSource` in the registry.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the directory's models, pages, API, command, seed step, admin links and the
    clinic names the SMS pages show."""
    from clinics import models  # noqa: F401 - the directory's tables
    from clinics.api import routes as api_routes
    from clinics.cli import clinics_cli
    from clinics.geo import install_sqlite_math
    from clinics.labels import register_clinic_labels
    from clinics.models import Clinic
    from clinics.routes import ADMIN_LINKS, admin, bp  # noqa: F401 - admin adds its pages to bp
    from clinics.seed import seed_clinics
    from core.extensions import db
    from core.registry import NameSource, registry

    with app.app_context():
        install_sqlite_math(db.engine)
    app.register_blueprint(bp)
    app.cli.add_command(clinics_cli)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    harc.seed_steps.append(seed_clinics)
    harc.admin_links.extend(ADMIN_LINKS)
    harc.name_sources["clinic"] = NameSource(Clinic.id, Clinic.name)  # for the SMS log
    register_clinic_labels(app)
