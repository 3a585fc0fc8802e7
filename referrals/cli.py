"""`flask referrals sweep`."""

import click

referrals_cli = click.Group("referrals", help="Referrals.")
