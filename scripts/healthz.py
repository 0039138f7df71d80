"""Ask a running web process for /healthz; exit 0 when it answers 200 with JSON.

    python scripts/healthz.py [URL]      # default http://127.0.0.1:${PORT:-8000}/healthz

Used by docker-compose.yml's health check and by `make stack`. Standard library
only (the image has no curl). The Host header is the first of ALLOWED_HOSTS, so
the check passes Django's host validation however the service is named.
"""

import json
import os
import sys
import urllib.error
import urllib.request


def host_header() -> str | None:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return None


def check(url: str, timeout: float = 5) -> tuple[bool, str]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    if host := host_header():
        request.add_header("Host", host)
    try:
        # A fixed local http URL from our own configuration, not user input.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        return False, f"{error.code} {error.read().decode(errors='replace')[:300]}"
    except OSError as error:
        return False, str(error)
    try:
        json.loads(body)
    except ValueError:
        return False, f"{status}, not JSON: {body[:300]}"
    return status == 200, f"{status} {body}"


if __name__ == "__main__":
    port = os.environ.get("PORT", "8000")
    target = sys.argv[1] if len(sys.argv) > 1 else f"http://127.0.0.1:{port}/healthz"
    ok, detail = check(target)
    print(detail)
    sys.exit(0 if ok else 1)
