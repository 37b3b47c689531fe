"""Settings from the environment: safe defaults, production refuses to start without its secrets."""

import pytest

from config import ConfigurationError, load_settings


def test_development_defaults(tmp_path):
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.APP_ENV == "development"
    assert settings.DATABASE_URL == f"sqlite:///{tmp_path / 'entre-pairs.sqlite3'}"
    assert settings.REDIS_URL == "redis://127.0.0.1:6379/0"
    assert settings.DEFAULT_TIMEZONE == "America/Toronto" and settings.DEFAULT_LANGUAGE == "fr"
    assert settings.ZOOM_MODE == "sandbox" and settings.ZOOM_API_URL.startswith("http://127.0.0.1:")
    assert settings.uses_outbox and settings.MAIL_OUTBOX_DIR == str(tmp_path / "outbox")
    assert len(settings.ZOOM_HOSTS) >= 2


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings({}, instance_path=tmp_path).SECRET_KEY
    assert len(first) >= 32
    assert load_settings({}, instance_path=tmp_path).SECRET_KEY == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_without_secrets_fails_at_once_naming_them(tmp_path):
    with pytest.raises(ConfigurationError) as error:
        load_settings({"APP_ENV": "production", "ZOOM_MODE": "zoom"}, instance_path=tmp_path)
    message = str(error.value)
    for name in ["SECRET_KEY", "DATABASE_URL", "SMTP_HOST", "ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET", "OIDC_ISSUER"]:
        assert name in message
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_the_sandbox(tmp_path):
    with pytest.raises(ConfigurationError, match="ZOOM_MODE=sandbox is for development"):
        load_settings({"APP_ENV": "production"}, instance_path=tmp_path)


def test_complete_production_configuration(tmp_path):
    environment = {
        "APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgres://app:pw@db/app",
        "BASE_URL": "https://pairs.exemple.ca/", "MAIL_FROM": "Entre pairs <pairs@exemple.ca>",
        "SMTP_HOST": "smtp.exemple.ca", "ZOOM_MODE": "zoom", "ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b",
        "ZOOM_CLIENT_SECRET": "c", "ZOOM_WEBHOOK_SECRET": "d", "ZOOM_HOSTS": "h1@exemple.ca, h2@exemple.ca",
        "OIDC_ISSUER": "https://login.exemple.ca", "OIDC_CLIENT_ID": "e", "OIDC_CLIENT_SECRET": "f",
        "SMTP_STARTTLS": "yes", "SMTP_PORT": "2525",
    }
    settings = load_settings(environment, instance_path=tmp_path)
    assert settings.sqlalchemy_url() == "postgresql+psycopg://app:pw@db/app"
    assert settings.BASE_URL == "https://pairs.exemple.ca"
    assert settings.ZOOM_HOSTS == ("h1@exemple.ca", "h2@exemple.ca")
    assert settings.ZOOM_API_URL == "https://api.zoom.us/v2" and settings.SMTP_PORT == 2525
    described = repr(settings.describe())
    for secret in ("x" * 40, "'c'", "'d'", "'f'", ":pw@"):
        assert secret not in described
    assert "x" * 40 not in repr(settings)


def test_bad_values_are_named(tmp_path):
    with pytest.raises(ConfigurationError, match="SMTP_PORT"):
        load_settings({"SMTP_PORT": "vingt"}, instance_path=tmp_path)
    with pytest.raises(ConfigurationError, match="DEFAULT_TIMEZONE"):
        load_settings({"DEFAULT_TIMEZONE": "Europe/Atlantis"}, instance_path=tmp_path)


def test_instance_path_from_the_environment_wins_over_the_default(tmp_path):
    """A worker started with INSTANCE_PATH writes its outbox there, not under the code's folder."""
    chosen = tmp_path / "chosen"
    settings = load_settings({"INSTANCE_PATH": str(chosen)}, instance_path=tmp_path / "default")
    assert settings.INSTANCE_PATH == str(chosen.resolve())
    assert settings.MAIL_OUTBOX_DIR == str(chosen.resolve() / "outbox")


def test_production_refuses_to_send_the_smtp_password_unencrypted(tmp_path):
    environment = {
        "APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/x",
        "BASE_URL": "https://entre-pairs.exemple.ca", "SMTP_HOST": "smtp.exemple.ca", "ZOOM_MODE": "zoom",
        "ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b", "ZOOM_CLIENT_SECRET": "c", "ZOOM_WEBHOOK_SECRET": "d",
        "ZOOM_HOSTS": "h@exemple.ca", "OIDC_ISSUER": "https://idp.exemple.ca", "OIDC_CLIENT_ID": "e",
        "OIDC_CLIENT_SECRET": "f", "SMTP_USERNAME": "service", "SMTP_PASSWORD": "secret", "SMTP_STARTTLS": "no",
    }
    with pytest.raises(ConfigurationError, match="SMTP_STARTTLS") as error:
        load_settings(environment, instance_path=tmp_path)
    assert "secret" not in str(error.value)
    assert load_settings({**environment, "SMTP_PORT": "465"}, instance_path=tmp_path).SMTP_PORT == 465
    assert load_settings({**environment, "SMTP_STARTTLS": "yes"}, instance_path=tmp_path).SMTP_STARTTLS


def test_production_with_an_identity_provider_but_no_client_secret_refuses_to_start(tmp_path):
    environment = {
        "APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgres://app:pw@db/app",
        "BASE_URL": "https://pairs.exemple.ca", "SMTP_HOST": "smtp.exemple.ca", "ZOOM_MODE": "zoom",
        "ZOOM_ACCOUNT_ID": "a", "ZOOM_CLIENT_ID": "b", "ZOOM_CLIENT_SECRET": "c", "ZOOM_WEBHOOK_SECRET": "d",
        "ZOOM_HOSTS": "h1@exemple.ca", "OIDC_ISSUER": "https://login.exemple.ca", "OIDC_CLIENT_ID": "e",
    }
    with pytest.raises(ConfigurationError) as error:
        load_settings(environment, instance_path=tmp_path)
    assert str(error.value) == "Configuration error: production needs OIDC_CLIENT_SECRET"


@pytest.mark.parametrize("value, accepted", [("0", True), ("2", True), ("-1", False), ("9", False), ("x", False)])
def test_trusted_proxy_count_is_a_small_number(tmp_path, value, accepted):
    if accepted:
        assert load_settings({"TRUSTED_PROXY_COUNT": value}, instance_path=tmp_path).TRUSTED_PROXY_COUNT == int(value)
    else:
        with pytest.raises(ConfigurationError, match="TRUSTED_PROXY_COUNT"):
            load_settings({"TRUSTED_PROXY_COUNT": value}, instance_path=tmp_path)
