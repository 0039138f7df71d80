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


def test_compose_web_migrates_then_runs_the_procfile_web_command():
    text = compose_text()
    assert f"python manage.py migrate --noinput && {procfile()['web']}" in text
    assert procfile()["release"] == "python manage.py migrate --noinput"


def test_compose_runs_one_beat_and_has_health_checks():
    text = (ROOT / "docker-compose.yml").read_text()
    assert text.count("celery --app pod_site beat") == 1
    assert "pg_isready" in text
    assert "redis-cli" in text
    assert "mailpit" in text
