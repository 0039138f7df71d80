# ruff: noqa: S603, S607, E501 -- a benchmark script: runs ps, wrk and gunicorn; the wrk Lua is one string
"""The load benchmark (`make bench`, docs/performance.md).

On the seed_scale data set (DATABASE_URL), with DEBUG off:

1. picks the personas (the peer practitioner with the most reflections, the
   supervisor with the most open shares, a team lead), signs each in by making
   a session in code, and gives the peer a draft to autosave;
2. counts the queries of each page with Django's test client in this process;
3. starts gunicorn with 2 workers on 127.0.0.1 and drives each page with wrk
   for --seconds at 8 connections, one page at a time, sampling the workers'
   memory (ps) meanwhile;
4. prints requests per second, median and 95th percentile per page, each
   page's ratio to /livez (liveness: "ok" through the whole middleware stack,
   no database, no cache) measured in the same run, beside /healthz (the
   readiness check) and a static file, the queries, the autosave's server-side
   median (from the app's request log) and the peak RSS.

Targets (issue 16): every key page at least 1/8 of /livez's throughput and a
p95 within 8 x /livez's; workers under 200 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pod_site.settings")
# As in production, a broker (and so beat refreshing the dashboard's rollup).
# Without one, tasks run in-process and the dashboard rebuilds the whole rollup
# inside the request once it is 30 s old (dashboards/views.py): 15 to 30 s at
# this size, which gunicorn's worker timeout kills. Redis db 12 by default.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")

# Not key pages: the yardstick and the two answers shown beside it.
REFERENCES = {"/livez", "/healthz", "a static file"}
MAX_P95_RATIO = 8
MIN_RPS_RATIO = 1 / 8

WRK_SCRIPT = """
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p95_us": %d, "errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def personas():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db.models import Count, Q

    from dashboards.models import RollupRefresh
    from meetings.models import NetworkMeeting
    from reflections.fields import DecryptionError
    from reflections.models import Reflection
    from security.mfa import has_totp, must_use_mfa
    from supervision.models import Share
    from teams.models import Membership, Role, User

    peer_id = (
        Reflection.objects.filter(author__memberships__role=Role.PEER_PRACTITIONER)
        .values("author")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("author", flat=True)
        .first()
    )
    if peer_id is None:
        sys.exit("No reflections: run `make seed-scale` first.")
    peer = User.objects.get(pk=peer_id)
    supervisor_id = (
        Share.objects.filter(supervisor__isnull=False, revoked_at__isnull=True)
        .values("supervisor")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("supervisor", flat=True)
        .first()
    )
    supervisor = User.objects.get(pk=supervisor_id)
    lead = Membership.objects.filter(role=Role.TEAM_LEAD).select_related("user", "team").first()
    try:
        Reflection.objects.filter(author=peer).exclude(text="").first()
    except DecryptionError:
        sys.exit(
            "The notes were encrypted with another key: set FIELD_ENCRYPTION_KEYS to the one "
            "seed_scale used (var/field_encryption.key with DEBUG on)."
        )
    meeting = (
        NetworkMeeting.objects.filter(practitioner_attendances__practitioner=peer)
        .order_by("-starts_at")
        .first()
    )
    # The peer's newest finished note with text, and the supervisor's newest open share.
    note = (
        Reflection.objects.filter(author=peer, status="final")
        .exclude(text="")
        .order_by("-written_at")
        .first()
    )
    share = (
        Share.objects.filter(supervisor=supervisor, revoked_at__isnull=True)
        .order_by("-shared_at")
        .first()
    )
    # People who must use MFA get an authenticator app: the bench times pages,
    # not the set-up page every request would otherwise be sent to.
    for person in (peer, supervisor, lead.user):
        if must_use_mfa(person) and not has_totp(person):
            TOTP.activate(person, generate_totp_secret())
    if not RollupRefresh.objects.exists():
        sys.exit("The dashboard rollup is empty: run `manage.py refresh_dashboard`.")
    # A draft about one of the peer's meetings they have not written on, in the
    # network they wrote most about: its form shows the earlier-notes panels.
    unwritten = (
        NetworkMeeting.objects.filter(practitioner_attendances__practitioner=peer)
        .exclude(reflections__author=peer)
        .annotate(
            written_here=Count(
                "network__meetings__reflections",
                filter=Q(network__meetings__reflections__author=peer),
            )
        )
        .order_by("-written_here", "-starts_at")
        .first()
    )
    draft = Reflection.objects.create(author=peer, meeting=unwritten)
    counts = Reflection.objects.filter(author=peer).aggregate(
        all=Count("pk"), drafts=Count("pk", filter=Q(status="draft"))
    )
    return peer, supervisor, lead, meeting, note, share, draft, counts


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def count_queries(pages, cookies, csrf):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (persona, method, path, body) in pages.items():
        client = Client(HTTP_X_CSRFTOKEN=csrf)
        if persona:
            client.cookies["sessionid"] = cookies[persona]
        client.cookies["csrftoken"] = csrf
        for _ in range(2):  # the first request warms caches and saves the session
            with CaptureQueriesContext(connection) as captured:
                if method == "POST":
                    response = client.post(
                        path, body, content_type="application/x-www-form-urlencoded"
                    )
                else:
                    response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{name}: {path} answered {response.status_code} in the test client")
        counts[name] = len(captured)
    return counts


def worker_rss_mb(master_pid: int) -> list[float]:
    ps = subprocess.run(  # nosec B603 B607
        ["ps", "-o", "rss=", "--ppid", str(master_pid)], capture_output=True, text=True
    )
    return [int(value) / 1024 for value in ps.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from urllib.parse import urlencode

    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.urls import reverse

    from principles.models import Principle
    from reflections.models import Reflection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "127.0.0.1"]
    started = time.perf_counter()
    peer, supervisor, lead, meeting, note, share, draft, counts = personas()
    cookies = {
        "peer": session_cookie(peer),
        "supervisor": session_cookie(supervisor),
        "lead": session_cookie(lead.user),
    }
    csrf = _get_new_csrf_string()
    # The revision the form was loaded from (step 12): every save sends the same
    # text, so none conflicts with the one before.
    autosave_body = {
        "revision": str(draft.revision),
        "text": "Draft written during the benchmark. " * 20,
    }
    for principle in Principle.objects.peer_practice():
        autosave_body[f"note_{principle.slug}"] = "A few words on this principle. " * 5
        autosave_body[f"presence_{principle.slug}"] = "clearly"
    body = urlencode(autosave_body)
    static_file = staticfiles_storage.url("css/app.css")
    pages = {
        "/livez": (None, "GET", reverse("livez"), None),
        "/healthz": (None, "GET", reverse("healthz"), None),
        "a static file": (None, "GET", static_file, None),
        "My practice": ("peer", "GET", reverse("home"), None),
        "My reflections (filtered)": (
            "peer",
            "GET",
            reverse("reflections:timeline") + "?principle=attunement&period=12m",
            None,
        ),
        # A word in none of the seeded notes: every note is decrypted and looked at.
        "My reflections (searched)": (
            "peer",
            "GET",
            reverse("reflections:timeline") + "?q=listening",
            None,
        ),
        "a note": ("peer", "GET", reverse("reflections:detail", args=[note.pk]), None),
        "a meeting": ("peer", "GET", reverse("meetings:meeting_detail", args=[meeting.pk]), None),
        "supervisor's inbox": ("supervisor", "GET", reverse("supervision:inbox"), None),
        "a shared note (the supervisor's view)": (
            "supervisor",
            "GET",
            reverse("supervision:share_detail", args=[share.pk]),
            None,
        ),
        "dashboard (one team, 12 months)": (
            "lead",
            "GET",
            reverse("dashboards:dashboard") + f"?team={lead.team_id}&period=12",
            None,
        ),
        "the reflection form (a draft about a meeting)": (
            "peer",
            "GET",
            reverse("reflections:edit", args=[draft.pk]),
            None,
        ),
        "My patterns (12 months)": ("peer", "GET", reverse("reflections:patterns"), None),
        "the team page (its lead)": (
            "lead",
            "GET",
            reverse("people:team", args=[lead.team_id]),
            None,
        ),
        "autosave a draft (POST)": (
            "peer",
            "POST",
            reverse("reflections:autosave", args=[draft.pk]),
            body,
        ),
    }
    try:
        queries = count_queries(pages, cookies, csrf)
    except SystemExit:
        Reflection.objects.filter(pk=draft.pk).delete()
        raise
    print(
        f"Data: {connection.settings_dict['NAME']}; peer {peer.pk} with {counts['all']:,} "
        f"reflections; supervisor {supervisor.pk}; lead of team {lead.team_id}; "
        f"set up in {time.perf_counter() - started:.1f} s"
    )
    connection.close()

    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="pod-bench-")) / "gunicorn.log"
    env = {**os.environ, "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
    log_file = log_path.open("w")
    gunicorn = subprocess.Popen(  # nosec B603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "pod_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = {}
    peak_rss: list[float] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/livez", timeout=2).read()  # noqa: S310  # nosec B310
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for name, (persona, method, path, post_body) in pages.items():
            cookie = f"csrftoken={csrf}" + (f"; sessionid={cookies[persona]}" if persona else "")
            stop_sampling = threading.Event()
            samples: list[float] = []

            def sample(stop=stop_sampling, into=samples) -> None:
                while not stop.wait(1):
                    into.extend(worker_rss_mb(gunicorn.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            wrk = subprocess.run(  # nosec B603 B607
                [
                    "wrk",
                    "-t2",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--timeout",
                    "10s",
                    "-s",
                    script.name,
                    "-H",
                    f"Cookie: {cookie}",
                    "-H",
                    f"X-CSRFToken: {csrf}",
                    "-H",
                    "HX-Request: true" if method == "POST" else "Accept: text/html",
                    base + path,
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "BENCH_BODY": post_body or ""},
            )
            stop_sampling.set()
            sampler.join()
            peak_rss.extend(samples)
            line = wrk.stdout.strip().splitlines()[-1]
            results[name] = json.loads(line)
            results[name]["rss_mb"] = max(samples, default=0)
            print(f"  {name}: {line}", flush=True)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Still answering the requests wrk left queued (a loaded machine).
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait(timeout=30)
        finally:
            log_file.close()
            Reflection.objects.filter(pk=draft.pk).delete()

    autosave_ms = []
    for raw in log_path.read_text().splitlines():
        if '"pod_site.request"' in raw and "autosave" in raw:
            autosave_ms.append(json.loads(raw)["duration_ms"])

    # The yardstick: /livez, the cheapest answer that goes through the whole
    # middleware stack. /healthz and a static file are shown for comparison.
    reference = results["/livez"]
    reference_rps = reference["requests"] / reference["seconds"]
    print()
    print(
        f"wrk, {args.connections} connections, {args.seconds} s per page, gunicorn "
        f"{args.workers} sync workers on 127.0.0.1 (DEBUG off)"
    )
    print(
        "| page | req/s | median ms | p95 ms | p95 / livez | req/s / livez | queries | errors "
        "| target (p95 <= 8x, req/s >= 1/8) |"
    )
    print("|" + " --- |" * 9)
    for name, result in results.items():
        rps = result["requests"] / result["seconds"]
        p95_ratio = result["p95_us"] / reference["p95_us"]
        rps_ratio = rps / reference_rps
        if name in REFERENCES:
            target = "reference"
        elif p95_ratio <= MAX_P95_RATIO and rps_ratio >= MIN_RPS_RATIO:
            target = "met"
        else:
            target = "**missed**"
        print(
            f"| {name} | {rps:.0f} | {result['p50_us'] / 1000:.1f} | {result['p95_us'] / 1000:.1f} "
            f"| {p95_ratio:.2f} | {rps_ratio:.3f} "
            f"| {queries[name]} | {result['errors'] + result['bad_status']} | {target} |"
        )
    print()
    if autosave_ms:
        print(
            f"Autosave, server side (request log, {len(autosave_ms):,} saves): median "
            f"{statistics.median(autosave_ms):.1f} ms, "
            f"p95 {sorted(autosave_ms)[int(0.95 * len(autosave_ms)) - 1]:.1f} ms"
        )
    print(f"Gunicorn worker RSS: peak {max(peak_rss, default=0):.0f} MB (ps, every second)")


if __name__ == "__main__":
    main()
