"""`make stack` for real: the Procfile's release step, then gunicorn, a Celery
worker and beat, against this run's PostgreSQL and Redis with DEBUG off.

Skipped locally without a PostgreSQL DATABASE_URL and a REDIS_URL; fails in CI.
Bounded: at most STARTUP_SECONDS to come up; every process is stopped at the end.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def needs_services() -> None:
    database, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if database.startswith(("postgres://", "postgresql://")) and redis_url:
        return
    message = "the stack test needs a PostgreSQL DATABASE_URL and a REDIS_URL"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_stack_brings_up_web_worker_and_beat(tmp_path):
    needs_services()
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        "VAR_DIR": str(tmp_path),  # collectstatic and the beat schedule go here
        "WORKER_CONCURRENCY": "1",
        "WEB_CONCURRENCY": "1",
    }
    runner = subprocess.Popen(
        [sys.executable, "scripts/stack.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output: list[str] = []
    threading.Thread(
        target=lambda: output.extend(line.decode(errors="replace") for line in runner.stdout),
        daemon=True,
    ).start()

    def seen(text: str, process: str) -> bool:
        return any(line.startswith(process) and text in line for line in list(output))

    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        health = None
        while time.monotonic() < deadline and runner.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as answer:
                    health = (answer.status, answer.headers["Content-Type"], answer.read())
            except OSError:
                time.sleep(0.5)
                continue
            if seen("celery@", "worker") and seen("ready", "worker") and seen("Starting", "beat"):
                break
            time.sleep(0.5)
        log = "".join(output)[-4000:]
        assert runner.poll() is None, f"the stack stopped:\n{log}"
        assert health is not None, f"/healthz never answered:\n{log}"
        status, content_type, body = health
        assert (status, content_type) == (200, "application/json"), log
        assert set(json.loads(body).values()) == {"OK"}
        assert seen("ready", "worker"), f"the worker is not ready:\n{log}"
        assert seen("beat: Starting", "beat"), f"beat did not start:\n{log}"
        # Static files come from whitenoise, fingerprinted, with a long cache life.
        app_js = next((tmp_path / "staticfiles" / "js").glob("app.*.js"))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/{app_js.name}") as answer:
            assert "immutable" in answer.headers["Cache-Control"]
        # Logs are JSON lines with a request id.
        request_lines = [line for line in list(output) if '"pod_site.request"' in line]
        assert request_lines, log
        assert json.loads(request_lines[-1].split("| ", 1)[1])["request_id"]
        # All three are still running.
        assert runner.poll() is None
    finally:
        if runner.poll() is None:
            runner.send_signal(signal.SIGTERM)  # the runner stops web, worker and beat
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
    assert runner.returncode == 0, "".join(output)[-4000:]
    assert seen("stopping web, worker, beat", "stack")
