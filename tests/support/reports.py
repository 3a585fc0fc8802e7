"""The report summary made current, as the scheduler's nightly rebuild would: the reports read
the summary, so a test that builds referrals or messages refreshes it before it reads a report."""

from __future__ import annotations

from core.extensions import db


def summarise() -> None:
    """Rebuild the whole report summary from the detail rows, and commit."""
    from reports.summary.refresh import refresh

    refresh(rebuild=True)
    db.session.commit()
