"""Flask extensions, created unbound and bound in the factory."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from core.db import Base

db = SQLAlchemy(model_class=Base)
# Models subclass `Model`: at run time Flask-SQLAlchemy's `db.Model`, which the type checker cannot
# see through (it is built at run time), so it is checked as the declarative base it derives from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# The client address comes through ProxyFix (PROXY_HOPS), so remote_addr is already the real one.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
