"""Pages of the clinics package."""

from flask import Blueprint

bp = Blueprint("clinics", __name__)
