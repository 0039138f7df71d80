"""The Procfile and docker-compose.yml run the same processes, so testing one tests both."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def compose_text() -> str:
    # Compose escapes a shell's $ as $$; fold whitespace from YAML's folded blocks.
    text = (ROOT / "docker-compose.yml").read_text().replace("$$", "$")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_compose_runs_the_procfile_command(process):
    assert procfile()[process] in compose_text()


def test_compose_web_runs_the_release_step_then_the_procfile_web_command():
    text = compose_text()
    assert f"{procfile()['release']} && {procfile()['web']}" in text


def test_compose_runs_one_beat_and_has_health_checks():
    text = (ROOT / "docker-compose.yml").read_text()
    assert text.count("celery --app pod_site beat") == 1
    assert "pg_isready" in text
    assert "redis-cli" in text
    assert "mailpit" in text


def test_the_release_step_migrates_and_collects_static_files():
    assert procfile()["release"] == (
        "python manage.py migrate --noinput && python manage.py collectstatic --noinput"
    )


def test_gunicorn_leaves_the_access_log_to_the_apps_own_request_line():
    # One JSON line per request comes from pod_site.logs.RequestIdMiddleware.
    assert "access-log" not in procfile()["web"]


def test_compose_checks_the_web_process_through_healthz():
    text = (ROOT / "docker-compose.yml").read_text()
    web = text.split("\n  web:", 1)[1].split("\n  worker:", 1)[0]
    assert 'test: ["CMD", "python", "scripts/healthz.py"]' in web
    assert (ROOT / "scripts" / "healthz.py").exists()


def test_make_stack_runs_the_procfile():
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/stack.py" in makefile.split("\nstack:", 1)[1].split("\n\n", 1)[0]
