"""Members, referrals, clinic confirmation, follow-ups and the peer educator's tasks.

Depends on clinics, accounts and notifications (through `notifications.services` only), never on
safety or reports. It owns the `referral:<code>` subject (built and parsed in
`services/messaging.py`) and registers it with notifications, fills notifications' contact-scope
hook (whose messages a peer educator reads) and clinics' feedback member-scope hook, and
subscribes to the `inbound_reply` signal.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register members and referrals: models, pages, API, command, the sweep job, the reply
    receiver, the feedback and message scope hooks, the role homes, the seed step and admin
    links."""
    from core.registry import registry
    from notifications.services import register_contact_scope
    from referrals import models, replies  # noqa: F401 - members, referrals, follow-ups
    from referrals.api import followups  # noqa: F401 - adds its endpoints to api_routes
    from referrals.api import routes as api_routes
    from referrals.cli import referrals_cli
    from referrals.jobs import run_sweep
    from referrals.labels import register_referral_labels
    from referrals.routes import ADMIN_LINKS, bp, clinic, members, new  # noqa: F401 - on bp
    from referrals.seed import seed_members
    from referrals.services.messaging import register_referral_subjects
    from referrals.services.scope import may_name_member, message_contact_ids

    replies.subscribe()
    register_referral_subjects(app)  # how notifications shows a referral's messages
    register_contact_scope(app, message_contact_ids)  # whose messages a peer educator reads
    app.register_blueprint(bp)
    app.cli.add_command(referrals_cli)
    harc = registry(app)
    harc.api_routes.append(api_routes)
    harc.add_job("referrals_sweep", run_sweep, seconds=300)
    harc.feedback_member_scope = may_name_member
    harc.role_homes["peer_educator"] = "referrals.tasks"
    harc.role_homes["clinic_partner"] = "referrals.clinic_today"
    harc.seed_steps.append(seed_members)
    harc.admin_links.extend(ADMIN_LINKS)
    register_referral_labels(app)
