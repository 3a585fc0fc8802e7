"""`flask clinics import|export`."""

import click

clinics_cli = click.Group("clinics", help="The clinic directory.")
