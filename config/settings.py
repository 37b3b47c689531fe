"""The service's settings, read once from the environment.

Every process (web, worker, scheduler, CLI) builds the same :class:`Settings` with :func:`load_settings`.
Defaults are the safe, local ones: SQLite in the instance folder, the local Zoom sandbox, a mail outbox
folder. ``APP_ENV=production`` turns the defaults that only make sense on a laptop into errors, so a
production start with a missing secret fails at once with a message that names the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "test", "production")
LANGUAGES = ("fr", "en")
ZOOM_MODES = ("sandbox", "zoom")

# The local Zoom sandbox (integrations/zoom/sandbox) listens here in development.
SANDBOX_PORT = 8765
SANDBOX_ACCOUNT_ID = "sandbox-account"
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
SANDBOX_WEBHOOK_SECRET = "sandbox-webhook-secret"
SANDBOX_HOSTS = "host1@sandbox.entrepairs.test,host2@sandbox.entrepairs.test"

# Names of settings whose value must never reach a log line or an error message.
SECRET_NAMES = frozenset(
    {"SECRET_KEY", "ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET", "SMTP_PASSWORD", "OIDC_CLIENT_SECRET"}
)


class ConfigurationError(RuntimeError):
    """The environment does not describe a service that can start."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Typed configuration. Field names are the environment variable names (a public interface)."""

    APP_ENV: str = "development"
    INSTANCE_PATH: str = "instance"
    DATABASE_URL: str = ""
    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    SECRET_KEY: str = field(default="", repr=False)
    BASE_URL: str = "http://127.0.0.1:5000"
    DEFAULT_TIMEZONE: str = "America/Toronto"
    DEFAULT_LANGUAGE: str = "fr"
    # Reverse proxies (load balancer...) in front of the web process whose X-Forwarded-* headers are believed:
    # 0 = none, the client address is the connection's. More than there really are lets clients forge theirs.
    TRUSTED_PROXY_COUNT: int = 0

    ZOOM_MODE: str = "sandbox"
    ZOOM_ACCOUNT_ID: str = ""
    ZOOM_CLIENT_ID: str = ""
    ZOOM_CLIENT_SECRET: str = field(default="", repr=False)
    ZOOM_API_URL: str = ""
    ZOOM_OAUTH_URL: str = ""
    ZOOM_WEBHOOK_SECRET: str = field(default="", repr=False)
    ZOOM_HOSTS: tuple[str, ...] = ()
    ZOOM_TIMEOUT_SECONDS: float = 10.0
    # Zoom's Medium rate-limit label: 20 requests/s on Pro accounts, 60/s on Business and above.
    ZOOM_CHAT_RATE_PER_SECOND: float = 20.0
    # A chat post waits at most this long for its rate-limit slot, else it is refused with a time to retry.
    ZOOM_CHAT_MAX_WAIT_SECONDS: float = 1.0
    # Zoom allows 100 meeting create/update calls per host user per day (reset at 00:00 UTC).
    ZOOM_HOST_DAILY_LIMIT: int = 100
    # Meetings one host user may run at the same time, and the gap kept between two of them.
    ZOOM_HOST_CONCURRENCY: int = 1
    ZOOM_HOST_BUFFER_MINUTES: int = 15
    # When off, prompts are shown on the moderator console only and no meeting chat channel is created.
    CHAT_PROMPTS_ENABLED: bool = True

    # The worker (see worker/__init__.py): how far ahead of its due time the scheduler hands a prompt job to a
    # worker (the job then waits for the exact moment), how often it looks, how often the sweep runs, and how
    # many posts one job keeps in flight (enough to fill the rate limit despite Zoom's latency).
    PROMPT_RELEASE_LEAD_SECONDS: float = 0.3
    SCHEDULER_POLL_SECONDS: float = 0.02
    SWEEP_INTERVAL_SECONDS: float = 10.0
    PROMPT_POST_THREADS: int = 16

    MAIL_FROM: str = "Entre pairs <entre-pairs@localhost>"
    SMTP_HOST: str = ""
    SMTP_PORT: int = 587
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = field(default="", repr=False)
    SMTP_STARTTLS: bool = True
    SMTP_TIMEOUT_SECONDS: float = 20.0
    # Used when SMTP_HOST is empty (development): one .eml file per message.
    MAIL_OUTBOX_DIR: str = ""

    OIDC_ISSUER: str = ""
    OIDC_CLIENT_ID: str = ""
    OIDC_CLIENT_SECRET: str = field(default="", repr=False)
    # Who may log in as a coordinator: exact addresses and/or whole domains ("example.org").
    COORDINATOR_ALLOWED_EMAILS: tuple[str, ...] = ()
    COORDINATOR_ALLOWED_DOMAINS: tuple[str, ...] = ()
    # The organisation a coordinator's first login places them in (created if missing). Empty: the oldest
    # organisation, or a new one named after the person's e-mail domain when there is none yet.
    ORGANISATION_NAME: str = ""

    # Personal links (moderator console, participant page) stop working this long after the session.
    LINK_VALID_DAYS_AFTER_SESSION: int = 2
    # How often an open moderator console asks "did anything change?" (a 304 when nothing did).
    CONSOLE_POLL_SECONDS: float = 5.0
    # Rows that name nobody but are no longer useful (posted prompts, sent invites) are purged after this.
    RETENTION_DAYS: int = 90

    @property
    def is_production(self) -> bool:
        return self.APP_ENV == "production"

    @property
    def uses_outbox(self) -> bool:
        return not self.SMTP_HOST

    def sqlalchemy_url(self) -> str:
        return normalise_database_url(self.DATABASE_URL)

    def describe(self) -> dict[str, object]:
        """The settings with every secret masked: safe to log or print."""
        described: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_NAMES:
                value = "(set)" if value else "(empty)"
            elif f.name == "DATABASE_URL" or f.name == "REDIS_URL":
                value = _mask_url_password(str(value))
            described[f.name] = value
        return described


def _mask_url_password(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    if ":" in credentials:
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` spellings and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# With postponed annotations a field's type is its source text.
_CONVERTERS = {"bool": _bool, "int": int, "float": float, "tuple[str, ...]": _csv, "str": str}


def _secret_key_from_instance(instance_path: Path) -> str:
    """Development only: a random key generated once and kept beside the database."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(environ: Mapping[str, str] | None = None, instance_path: str | os.PathLike | None = None) -> Settings:
    """Build and check the settings. Raises :class:`ConfigurationError` with every problem listed."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems: list[str] = []
    for f in fields(Settings):
        if f.name == "INSTANCE_PATH" or f.name not in environ:
            continue
        raw = environ[f.name]
        try:
            values[f.name] = _CONVERTERS[f.type](raw)
        except ValueError:
            problems.append(f"{f.name} has an invalid value")
    # INSTANCE_PATH, when set, wins over the caller's default (a worker started with it must use that folder).
    instance = Path(environ.get("INSTANCE_PATH") or instance_path or Path.cwd() / "instance").resolve()
    values["INSTANCE_PATH"] = str(instance)
    if problems:
        raise ConfigurationError("; ".join(problems))

    settings = Settings(**values)
    problems = _check(settings)
    if problems:
        raise ConfigurationError("Configuration error: " + "; ".join(problems))
    return _with_derived_defaults(settings, instance)


def _check(settings: Settings) -> list[str]:
    problems = []
    if settings.APP_ENV not in ENVIRONMENTS:
        problems.append(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}")
    if settings.DEFAULT_LANGUAGE not in LANGUAGES:
        problems.append("DEFAULT_LANGUAGE must be fr or en")
    if settings.ZOOM_MODE not in ZOOM_MODES:
        problems.append("ZOOM_MODE must be sandbox or zoom")
    try:
        ZoneInfo(settings.DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append("DEFAULT_TIMEZONE is not a known time zone (e.g. America/Toronto)")
    if settings.ZOOM_HOST_CONCURRENCY < 1:
        problems.append("ZOOM_HOST_CONCURRENCY must be at least 1")
    if settings.ZOOM_CHAT_RATE_PER_SECOND <= 0:
        problems.append("ZOOM_CHAT_RATE_PER_SECOND must be positive")
    if not 0.5 <= settings.CONSOLE_POLL_SECONDS <= 60:
        problems.append("CONSOLE_POLL_SECONDS must be between 0.5 and 60")
    if not 0 < settings.SWEEP_INTERVAL_SECONDS <= 30:
        problems.append("SWEEP_INTERVAL_SECONDS must be more than 0 and at most 30")
    if not 0 < settings.SCHEDULER_POLL_SECONDS <= 0.2:
        problems.append("SCHEDULER_POLL_SECONDS must be more than 0 and at most 0.2")
    if not 0 <= settings.PROMPT_RELEASE_LEAD_SECONDS <= 5:
        problems.append("PROMPT_RELEASE_LEAD_SECONDS must be between 0 and 5")
    if not 1 <= settings.PROMPT_POST_THREADS <= 64:
        problems.append("PROMPT_POST_THREADS must be between 1 and 64")
    if settings.ZOOM_CHAT_MAX_WAIT_SECONDS < 0:
        problems.append("ZOOM_CHAT_MAX_WAIT_SECONDS must not be negative")
    if settings.ZOOM_HOST_DAILY_LIMIT < 1:
        problems.append("ZOOM_HOST_DAILY_LIMIT must be at least 1")
    if settings.ZOOM_HOST_BUFFER_MINUTES < 0:
        problems.append("ZOOM_HOST_BUFFER_MINUTES must not be negative")
    if not 0 <= settings.TRUSTED_PROXY_COUNT <= 5:
        problems.append("TRUSTED_PROXY_COUNT must be between 0 and 5")
    if settings.is_production:
        required = ["SECRET_KEY", "DATABASE_URL", "BASE_URL", "MAIL_FROM", "SMTP_HOST"]
        if settings.ZOOM_MODE == "zoom":
            required += ["ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET"]
        else:
            problems.append("ZOOM_MODE=sandbox is for development; set ZOOM_MODE=zoom in production")
        if not settings.ZOOM_HOSTS:
            required.append("ZOOM_HOSTS")
        # A confidential client: without its secret every login would fail at the provider, not at the start.
        required += ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]
        missing = [name for name in required if not getattr(settings, name)]
        if missing:
            problems.append("production needs " + ", ".join(missing))
        if settings.SECRET_KEY and len(settings.SECRET_KEY) < 32:
            problems.append("SECRET_KEY must be at least 32 characters long")
        if settings.BASE_URL and not settings.BASE_URL.startswith("https://"):
            problems.append("BASE_URL must start with https:// in production")
        if settings.SMTP_USERNAME and not settings.SMTP_STARTTLS and settings.SMTP_PORT != 465:
            problems.append("SMTP_USERNAME is set but the mail connection is not encrypted: set SMTP_STARTTLS=true "
                            "(or SMTP_PORT=465)")
    return problems


def _with_derived_defaults(settings: Settings, instance: Path) -> Settings:
    """Fill the defaults that depend on the instance folder or on the Zoom mode."""
    changes: dict[str, object] = {}
    if not settings.DATABASE_URL:
        changes["DATABASE_URL"] = f"sqlite:///{instance / 'entre-pairs.sqlite3'}"
    if not settings.SECRET_KEY:
        changes["SECRET_KEY"] = _secret_key_from_instance(instance)
    if not settings.MAIL_OUTBOX_DIR:
        changes["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    if settings.ZOOM_MODE == "sandbox":
        sandbox = f"http://127.0.0.1:{SANDBOX_PORT}"
        changes.setdefault("ZOOM_API_URL", settings.ZOOM_API_URL or f"{sandbox}/v2")
        changes.setdefault("ZOOM_OAUTH_URL", settings.ZOOM_OAUTH_URL or f"{sandbox}/oauth/token")
        changes["ZOOM_ACCOUNT_ID"] = settings.ZOOM_ACCOUNT_ID or SANDBOX_ACCOUNT_ID
        changes["ZOOM_CLIENT_ID"] = settings.ZOOM_CLIENT_ID or SANDBOX_CLIENT_ID
        changes["ZOOM_CLIENT_SECRET"] = settings.ZOOM_CLIENT_SECRET or SANDBOX_CLIENT_SECRET
        changes["ZOOM_WEBHOOK_SECRET"] = settings.ZOOM_WEBHOOK_SECRET or SANDBOX_WEBHOOK_SECRET
        changes["ZOOM_HOSTS"] = settings.ZOOM_HOSTS or _csv(SANDBOX_HOSTS)
    else:
        changes["ZOOM_API_URL"] = settings.ZOOM_API_URL or "https://api.zoom.us/v2"
        changes["ZOOM_OAUTH_URL"] = settings.ZOOM_OAUTH_URL or "https://zoom.us/oauth/token"
    changes["BASE_URL"] = settings.BASE_URL.rstrip("/")
    return Settings(**{**{f.name: getattr(settings, f.name) for f in fields(settings)}, **changes})
