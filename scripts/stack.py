"""Run the Procfile natively: its release step, then web, worker and beat together.

    python scripts/stack.py [--procfile Procfile]

What `make stack` runs, and what docker-compose.yml runs in containers. Each
process's output is passed on line by line, prefixed with its name. When one
process exits, or on Ctrl-C / SIGTERM, all are stopped (SIGTERM, then SIGKILL
after 10 s), and the exit status is non-zero unless they were asked to stop.
Standard library only: no honcho or foreman needed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess  # nosec B404
import sys
import threading
import time
from pathlib import Path

STOP_GRACE_SECONDS = 10


def read_procfile(path: Path) -> dict[str, str]:
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def relay(name: str, stream, width: int) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{name:<{width}} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def start(name: str, command: str, width: int) -> subprocess.Popen:
    # Through sh, as a Procfile is: ${VAR:-default} expands. Its own process
    # group, so stopping it stops what it started (gunicorn's workers, celery's pool).
    process = subprocess.Popen(  # noqa: S602  # nosec B602
        command,
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    threading.Thread(target=relay, args=(name, process.stdout, width), daemon=True).start()
    print(f"{name:<{width}} | started (pid {process.pid}): {command}", flush=True)
    return process


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procfile", type=Path, default=Path("Procfile"))
    args = parser.parse_args()
    commands = read_procfile(args.procfile)
    release = commands.pop("release", None)
    width = max(len(name) for name in [*commands, "release"])
    if release:
        print(f"{'release':<{width}} | {release}", flush=True)
        # The Procfile's own release command, run as written.
        if subprocess.call(release, shell=True) != 0:  # noqa: S602  # nosec B602
            return 1

    stopping = threading.Event()

    def on_signal(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    running = {name: start(name, command, width) for name, command in commands.items()}
    status = 0
    try:
        while not stopping.is_set():
            exited = [name for name, process in running.items() if process.poll() is not None]
            if exited:
                for name in exited:
                    print(f"{name:<{width}} | exited with {running[name].returncode}", flush=True)
                status = 1
                break
            stopping.wait(0.5)
    finally:
        print(f"{'stack':<{width}} | stopping {', '.join(running)}", flush=True)
        stop(running)
    return status


if __name__ == "__main__":
    sys.exit(main())
