"""`flask reminders dispatch`."""

import click

reminders_cli = click.Group("reminders", help="SMS reminders.")
