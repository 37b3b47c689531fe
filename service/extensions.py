"""Flask extensions, created unbound here and attached to the app in :func:`service.app.create_app`."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from config import Settings
from service.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
# Limits are declared where they apply (login attempts); the storage is Redis, shared by every web process.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def current_settings() -> Settings:
    """The running application's settings (see ``config/settings.py``)."""
    return current_app.extensions["settings"]
