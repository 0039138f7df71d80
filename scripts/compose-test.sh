#!/usr/bin/env bash
# `make compose-test`: run docker-compose.yml for real, with podman, and check it.
#
#   scripts/compose-test.sh          # as root (CI); installs podman & co. with apt if missing
#
# 1. Installs podman, podman-compose, runc and debootstrap when missing (apt-get).
# 2. Builds the base images when missing (scripts/build-base-images.sh: cached after
#    the first run), then the project's image once (Dockerfile, podman's layer cache).
# 3. Starts docker-compose.yml plus compose.ci.yml (an SMTP sink in Mailpit's place)
#    as its own project, with a generated env file and free host ports, and checks:
#    web's /healthz answers 200 from the host (and compose's own health check passes),
#    the worker answers `celery inspect ping`, beat started, a digest sent by the worker
#    reaches the SMTP sink, web, worker and beat stop cleanly on SIGTERM (exit 0 or 143
#    within a second of their grace: 10 s, the worker 30 s, its stop_grace_period), and the database
#    survives `down` and `up` (its named volume).
# 4. Always ends with `down -v` and removes the network (only the images are kept).
# Any failure prints the containers' logs and exits non-zero. No host port of its
# own: PostgreSQL and Redis are reached only inside the compose network.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=${COMPOSE_TEST_PROJECT:-podcomposetest}
UP_TIMEOUT=${COMPOSE_TEST_TIMEOUT:-120}   # seconds for each service to come up
started=$(date +%s)
results=()

say() { echo "[compose-test +$(($(date +%s) - started))s] $*"; }
pass() { results+=("PASS $*"); say "PASS $*"; }

workdir=$(mktemp -d /var/tmp/pod-compose-test.XXXXXX)
log=$workdir/compose.log
stack_up=false

dump_logs() {
  echo "----- podman ps (project $PROJECT) -----"
  podman ps -a --filter "label=io.podman.compose.project=$PROJECT" \
    --format '{{.Names}}  {{.Status}}' 2>&1 || true
  for name in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' 2>/dev/null); do
    echo "----- logs of $name (last 60 lines) -----"
    podman logs --tail 60 "$name" 2>&1 || true
  done
  echo "----- podman-compose output (last 60 lines) -----"
  tail -n 60 "$log" 2>/dev/null || true
}

fail() {
  say "FAILED: $*"
  dump_logs
  exit 1
}

cleanup() {
  local status=$?
  if [ "$stack_up" = true ]; then
    say "down -v"
    compose down -v >> "$log" 2>&1 || true
    # podman-compose 1.0's down leaves the project's network.
    podman network rm -f "${PROJECT}_default" > /dev/null 2>&1 || true
  fi
  # Images of earlier builds of the project, now untagged.
  podman image prune -f > /dev/null 2>&1 || true
  rm -rf "$workdir"
  if [ "$status" = 0 ]; then
    echo
    printf '%s\n' "${results[@]}"
    echo "compose-test passed in $(($(date +%s) - started)) s"
  else
    echo "compose-test FAILED after $(($(date +%s) - started)) s"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 1. Tools --------------------------------------------------------------------
missing=()
for tool in podman podman-compose runc debootstrap; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "compose-test needs ${missing[*]}: apt-get install ${missing[*]}"; exit 1; }
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman podman-compose runc debootstrap > /dev/null
fi
# This machine allows containers fewer open files than podman's default asks for.
export CONTAINERS_CONF="$PWD/scripts/images/containers.conf"

# 2. Images -------------------------------------------------------------------
bash scripts/build-base-images.sh

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
random_text() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

export POD_ENV_FILE=$workdir/ci.env WEB_PORT MAILPIT_PORT POSTGRES_PASSWORD
export POSTGRES_USER=pod POSTGRES_DB=pod
WEB_PORT=$(free_port)
MAILPIT_PORT=$(free_port)
POSTGRES_PASSWORD=$(random_text)
# .env.example's settings, with fresh secrets.
sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$(random_text)|" \
    -e "s|^FIELD_ENCRYPTION_KEYS=.*|FIELD_ENCRYPTION_KEYS=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$POSTGRES_PASSWORD|" \
    -e "s|^CSRF_TRUSTED_ORIGINS=.*|CSRF_TRUSTED_ORIGINS=http://localhost:$WEB_PORT|" \
    -e "s|^SITE_URL=.*|SITE_URL=http://localhost:$WEB_PORT|" \
    .env.example > "$POD_ENV_FILE"
printf 'WORKER_CONCURRENCY=1\nWEB_CONCURRENCY=1\n' >> "$POD_ENV_FILE"

# A container's whole log to a file, then grep (no early-closed pipe under pipefail).
logs_have() {
  podman logs "$(container "$1")" > "$workdir/logs.$1" 2>&1 || return 1
  grep -qi -- "$2" "$workdir/logs.$1"
}

compose() { podman-compose -p "$PROJECT" -f docker-compose.yml -f compose.ci.yml "$@"; }
container() { echo "${PROJECT}_$1_1"; }

# A run that stopped half-way leaves its containers and volume: start afresh.
compose down -v > "$log" 2>&1 || true

say "building the project's image (web's build:, reused by worker and beat)"
build_started=$(date +%s)
compose build web >> "$log" 2>&1 || fail "the image did not build"
pass "image pod-reflect built in $(($(date +%s) - build_started)) s"

# 3. Up -----------------------------------------------------------------------
wait_healthy() {  # podman has no systemd here to run health checks: run them by hand
  local name deadline
  name=$(container "$1")
  deadline=$(($(date +%s) + UP_TIMEOUT))
  until podman healthcheck run "$name" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$1 not healthy after ${UP_TIMEOUT} s"
    sleep 1
  done
}

healthz() {  # status and body of /healthz, asked from the host
  python3 - "$WEB_PORT" <<'EOF'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=5) as answer:
        print(answer.status, answer.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode()[:300])
except OSError as error:
    print("no answer:", error)
EOF
}

up() {
  # depends_on's service_healthy is not honoured by podman-compose 1.0: the same
  # order by hand, databases first.
  compose up -d postgres redis >> "$log" 2>&1 || fail "postgres and redis did not start"
  wait_healthy postgres
  wait_healthy redis
  compose up -d --no-deps web worker beat mailpit >> "$log" 2>&1 || fail "web, worker and beat did not start"
  local deadline answer
  deadline=$(($(date +%s) + UP_TIMEOUT))
  until answer=$(healthz) && [ "${answer%% *}" = 200 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "/healthz did not answer 200 within ${UP_TIMEOUT} s: $answer"
    sleep 1
  done
  healthz_answer=$answer
}

say "up: postgres, redis, then web, worker, beat and the SMTP sink"
stack_up=true
up_started=$(date +%s)
up
pass "web /healthz from the host: $healthz_answer (up in $(($(date +%s) - up_started)) s)"
images=$(for service in web worker beat; do podman inspect --format '{{.ImageName}}' "$(container "$service")"; done | sort -u)
[ "$images" = localhost/pod-reflect:latest ] || fail "web, worker and beat should run one image, pod-reflect: $images"
pass "web, worker and beat run one image: $images"
wait_healthy web
pass "web: compose's health check (scripts/healthz.py) passes"

deadline=$(($(date +%s) + UP_TIMEOUT))
until podman exec "$(container worker)" celery --app pod_site inspect ping --timeout 5 > "$workdir/ping" 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$workdir/ping"; fail "the worker did not answer celery inspect ping"; }
  sleep 2
done
pass "worker: $(grep -o 'celery@[^:]*: OK' "$workdir/ping" | head -n1 || echo 'celery inspect ping OK')"

deadline=$(($(date +%s) + UP_TIMEOUT))
until logs_have beat 'beat: Starting'; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "beat did not log 'beat: Starting'"
  sleep 1
done
pass "beat: $(grep -o 'beat: Starting[.]*' "$workdir/logs.beat" | head -n1)"

# 4. A digest through Redis, the worker and SMTP -------------------------------
SUPERVISOR=ruth.supervisor@example.org
manage() { podman exec "$(container web)" python manage.py "$@"; }
manage seed_demo --force > "$workdir/seed" 2>&1 || { cat "$workdir/seed"; fail "seed_demo failed"; }
pass "seed_demo: $(grep -o 'Demo data ready.*' "$workdir/seed")"
due=$(manage send_digests --dry-run --supervisor "$SUPERVISOR" 2>&1) || { echo "$due"; fail "send_digests --dry-run failed"; }
# As beat does every 15 minutes: enqueue the due digests; the worker sends them.
manage shell -c "from supervision.tasks import enqueue_due_digests; enqueue_due_digests.delay()" \
  >> "$log" 2>&1 || fail "could not enqueue the digests"
deadline=$(($(date +%s) + UP_TIMEOUT))
until logs_have mailpit "^To: .*$SUPERVISOR"; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "$due"; fail "no digest for $SUPERVISOR reached the SMTP sink"; }
  sleep 1
done
podman logs "$(container mailpit)" > "$workdir/mail" 2>&1
subject=$(python3 - "$workdir/mail" "$SUPERVISOR" <<'EOF'
import email.header, re, sys
text = open(sys.argv[1], errors="replace").read()
# aiosmtpd's Debugging handler prints each message between ---------- MESSAGE FOLLOWS ---------- lines.
for message in text.split("---------- MESSAGE FOLLOWS ----------")[1:]:
    if re.search(rf"^To: .*{re.escape(sys.argv[2])}", message, re.M | re.I):
        raw = re.search(r"^Subject: (.*(?:\n[ \t].*)*)", message, re.M).group(1)
        print(str(email.header.make_header(email.header.decode_header(raw.replace("\n", "")))))
        break
EOF
)
[ -n "$subject" ] || fail "the digest for $SUPERVISOR has no subject"
pass "digest received by the SMTP sink: to $SUPERVISOR, subject '$subject' ($(grep -c 'MESSAGE FOLLOWS' "$workdir/mail") emails)"

count_rows() {
  manage shell -c "
from django.contrib.auth import get_user_model
from supervision.models import DigestDelivery
print(get_user_model().objects.count(), DigestDelivery.objects.filter(sent_at__isnull=False).count())"
}
before=$(count_rows | tail -n1) || fail "could not count rows"

# 5. A clean stop: SIGTERM, as `down` and `stop` send it ------------------------
for service in web worker beat mailpit redis postgres; do
  name=$(container "$service")
  # The worker's grace is docker-compose.yml's stop_grace_period (30 s); the rest, 10 s.
  if [ "$service" = worker ]; then grace=30; else grace=10; fi
  limit=$((grace - 1))
  stop_started=$(date +%s.%N)
  podman stop -t "$grace" "$name" > /dev/null 2>&1 || fail "podman stop $name failed"
  took=$(python3 -c "import time; print(f'{time.time() - $stop_started:.1f}')")
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  case "$code" in 0|143) ;; *) fail "$service exited with $code on SIGTERM (137 means it was killed)";; esac
  python3 -c "import sys; sys.exit(0 if $took < $limit else 1)" \
    || fail "$service took $took s to stop (limit $limit s of its $grace s grace)"
  pass "clean stop: $service exited $code ${took} s after SIGTERM"
done

# 6. The database survives down and up -----------------------------------------
compose down >> "$log" 2>&1 || fail "down failed"
podman volume exists "${PROJECT}_postgres-data" || fail "down removed the postgres-data volume"
say "down (volume kept), up again"
up
after=$(count_rows | tail -n1) || fail "could not count rows after up"
if [ "$before" != "$after" ] || [ "${before%% *}" -eq 0 ] || [ "${before##* }" -eq 0 ]; then
  fail "rows before down ($before) and after up ($after) differ, or none were written"
fi
pass "database survived down and up: $after (people, digests sent) before and after"
