"""Settings read the environment; a bad value stops start-up with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from pod_site import env

ROOT = Path(__file__).resolve().parents[2]


def run_check(**environment: str) -> subprocess.CompletedProcess[str]:
    """Start Django in a fresh process with the given environment."""
    unset = {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "expected_line"),
    [
        (
            {"DEBUG": "false"},
            "Configuration error: SECRET_KEY must be set when DEBUG is off (a long random string).",
        ),
        (
            {"DEBUG": "false", "SECRET_KEY": "x" * 50},
            "Configuration error: FIELD_ENCRYPTION_KEYS must be set when DEBUG is off "
            "(see docs/operations.md).",
        ),
        (
            {"DEBUG": "maybe"},
            "Configuration error: DEBUG must be true or false, not 'maybe'.",
        ),
        (
            {"DEBUG": "true", "DATABASE_URL": "mysql://db/pod"},
            "Configuration error: DATABASE_URL must start with postgres:// or sqlite://, "
            "not 'mysql'://.",
        ),
        (
            {"DEBUG": "true", "TIME_ZONE": "Mars/Olympus_Mons"},
            "Configuration error: TIME_ZONE is not a known time zone: 'Mars/Olympus_Mons'.",
        ),
        (
            {"DEBUG": "true", "REDIS_URL": "localhost:6379"},
            "Configuration error: REDIS_URL must look like redis://host:6379/0.",
        ),
        (
            {"DEBUG": "true", "EMAIL_URL": "smtp://:25"},
            "Configuration error: EMAIL_URL must name a host, as in smtp://mail.example.org:587.",
        ),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line(environment, expected_line):
    result = run_check(**environment)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [expected_line]
    assert "Traceback" not in result.stderr


def test_good_values_start_cleanly():
    result = run_check(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="pod.example.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_database_url_for_postgres(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://pod:s%40cret@db.internal:5433/pod?sslmode=require"
    )

    database = env.env_database("DATABASE_URL", Path("/unused"))

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("pod", "pod", "s@cret")
    assert (database["HOST"], database["PORT"]) == ("db.internal", "5433")
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_database_defaults_to_sqlite_under_var(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    database = env.env_database("DATABASE_URL", Path("/srv/var/pod.sqlite3"))

    assert database == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path("/srv/var/pod.sqlite3"),
    }


def test_email_url_for_smtp_with_tls(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://mailer:pw@mail.example.org:587?tls=true")

    email = env.env_email("EMAIL_URL", Path("/unused"))

    assert email["EMAIL_HOST"] == "mail.example.org"
    assert email["EMAIL_PORT"] == 587
    assert email["EMAIL_USE_TLS"] is True
    assert email["EMAIL_HOST_USER"] == "mailer"


def test_email_defaults_to_files_under_var_outbox(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)

    email = env.env_email("EMAIL_URL", Path("/srv/var/outbox"))

    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert email["EMAIL_FILE_PATH"] == Path("/srv/var/outbox")


def test_lists_and_numbers(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.org, b.example.org ,")
    monkeypatch.setenv("WORKERS", "three")

    assert env.env_list("ALLOWED_HOSTS", []) == ["a.example.org", "b.example.org"]
    with pytest.raises(SystemExit, match="WORKERS must be a whole number, not 'three'"):
        env.env_int("WORKERS", 2)


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    """CI must never quietly fall back to SQLite."""
    if os.environ.get("CI") != "true":
        pytest.skip("only checked in CI (CI=true), which sets DATABASE_URL to PostgreSQL")
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_migrations_match_the_models():
    # makemigrations --check exits non-zero when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
