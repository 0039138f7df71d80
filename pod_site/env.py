"""Small typed readers for the environment, used by settings.py.

Each reader either returns a value of the right type or stops start-up with one
line naming the variable and what is wrong with it (a SystemExit, so the person
starting the app sees that line and not a traceback).
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigError(SystemExit):
    """A bad or missing environment value. Exits with status 1 and one line."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"Configuration error: {name} {problem}")


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_required(name: str, why: str) -> str:
    value = _raw(name)
    if value is None:
        raise ConfigError(name, f"must be set {why}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(name, f"must be true or false, not {value!r}.")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, f"is not a known time zone: {value!r}.") from None
    return value


def env_fernet_keys(name: str, dev_key_file: Path | None) -> list[str]:
    """Read Fernet keys, newest first, comma-separated.

    With dev_key_file (the embedded default), a key is generated there on first
    run when the variable is unset. Without it, the variable is required.
    """
    from cryptography.fernet import Fernet

    keys = env_list(name, [])
    if not keys:
        if dev_key_file is None:
            raise ConfigError(name, "must be set when DEBUG is off (see docs/operations.md).")
        if not dev_key_file.exists():
            dev_key_file.parent.mkdir(parents=True, exist_ok=True)
            dev_key_file.write_text(Fernet.generate_key().decode())
            dev_key_file.chmod(0o600)
        keys = [dev_key_file.read_text().strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                name, f"key {position} is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
    return keys


def env_database(name: str, default_sqlite_path: Path) -> dict[str, Any]:
    """Read a database URL: postgres://user:pass@host:port/name or sqlite:///path."""
    value = _raw(name)
    if value is None:
        # The embedded default: a fresh clone has no var/ yet.
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    url = urlsplit(value)
    if url.scheme == "sqlite":
        path = unquote(url.path)
        if not path or path == "/":
            raise ConfigError(name, "must name a file, as in sqlite:////absolute/path.db.")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if url.scheme in {"postgres", "postgresql"}:
        database = unquote(url.path.lstrip("/"))
        if not database:
            raise ConfigError(name, "must name a database, as in postgres://host/pod.")
        try:
            port = url.port
        except ValueError:
            raise ConfigError(name, "has a port that is not a number.") from None
        options = {key: values[-1] for key, values in parse_qs(url.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            # Reuse connections across requests; health checks drop dead ones.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigError(name, f"must start with postgres:// or sqlite://, not {url.scheme!r}://.")


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is None:
        return None
    url = urlsplit(value)
    if url.scheme not in {"redis", "rediss"} or not url.hostname:
        raise ConfigError(name, "must look like redis://host:6379/0.")
    return value


def env_email(name: str, default_outbox: Path) -> dict[str, Any]:
    """Read an email URL into Django EMAIL_* settings.

    smtp://user:pass@host:port (add ?tls=true or ?ssl=true), console://, or
    file:///path. Unset: each email is written as a file under var/outbox/.
    """
    value = _raw(name)
    if value is None:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": default_outbox,
        }
    url = urlsplit(value)
    if url.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.scheme == "file":
        if not url.path:
            raise ConfigError(name, "must name a folder, as in file:///var/outbox.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(url.path),
        }
    if url.scheme == "smtp":
        if not url.hostname:
            raise ConfigError(name, "must name a host, as in smtp://mail.example.org:587.")
        try:
            port = url.port
        except ValueError:
            raise ConfigError(name, "has a port that is not a number.") from None
        query = {key: values[-1].lower() for key, values in parse_qs(url.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": url.hostname,
            "EMAIL_PORT": port or 25,
            "EMAIL_HOST_USER": unquote(url.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
            "EMAIL_USE_TLS": query.get("tls") in TRUE_WORDS,
            "EMAIL_USE_SSL": query.get("ssl") in TRUE_WORDS,
            "EMAIL_TIMEOUT": 20,
        }
    raise ConfigError(
        name, f"must start with smtp://, console:// or file://, not {url.scheme!r}://."
    )
