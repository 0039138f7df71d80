"""The Procfile and docker-compose.yml run the same processes, so testing one tests both."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def compose_text() -> str:
    # Compose escapes a shell's $ as $$; fold whitespace from YAML's folded blocks.
    text = (ROOT / "docker-compose.yml").read_text().replace("$$", "$")
    return re.sub(r"\s+", " ", text)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


# Each runs under `sh -c` (for ${VAR:-default}) with `exec`, so that the process
# itself is PID 1 and gets compose's SIGTERM: a shell would ignore it and be killed
# after the 10 s grace, stopping gunicorn and Celery uncleanly.
@pytest.mark.parametrize("process", ["worker", "beat"])
def test_compose_execs_the_procfile_command(process):
    assert f'sh -c "exec {procfile()[process]}"' in compose_text()


def test_compose_web_runs_the_release_step_then_execs_the_procfile_web_command():
    text = compose_text()
    assert f"{procfile()['release']} && exec {procfile()['web']}" in text


def test_web_worker_and_beat_run_one_image_built_once():
    services = compose()["services"]
    assert {services[name]["image"] for name in ("web", "worker", "beat")} == {"pod-reflect"}
    assert [name for name, service in services.items() if "build" in service] == ["web"]


def test_host_ports_are_variables_with_the_documented_defaults():
    services = compose()["services"]
    assert services["web"]["ports"] == ["127.0.0.1:${WEB_PORT:-8000}:8000"]
    assert services["mailpit"]["ports"] == ["127.0.0.1:${MAILPIT_PORT:-8025}:8025"]
    # PostgreSQL and Redis are reached inside compose's network only.
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]


def test_the_ci_check_replaces_only_mailpit():
    ci = yaml.safe_load((ROOT / "compose.ci.yml").read_text())
    assert list(ci["services"]) == ["mailpit"]
    assert compose()["services"]["mailpit"]["image"].startswith("axllent/mailpit:")
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/compose-test.sh" in makefile.split("\ncompose-test:", 1)[1].split("\n\n", 1)[0]
    assert "make compose-test" in (ROOT / ".ci" / "run").read_text()


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
