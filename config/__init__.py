"""Configuration: one :class:`Settings` object read from the environment (see ``settings.py``)."""

from config.settings import ConfigurationError, Settings, load_settings

__all__ = ["ConfigurationError", "Settings", "load_settings"]
