#!/usr/bin/env bash
# Build, with podman, the base images that the Dockerfile's FROM line and the compose
# files' image: lines name, on a machine that reaches no container registry:
#
#   scripts/build-base-images.sh          # builds only what is missing or out of date
#
# A Debian bookworm root file system is made with debootstrap from the Debian mirror in
# this machine's apt sources and imported as localhost/pod-debootstrap:bookworm; on it,
# with apt, scripts/images/*.Containerfile build stand-ins tagged with the official
# names (docker.io/library/python:3.11-slim, postgres:15, redis:7), so the production
# files are run as written, plus the CI check's SMTP sink (localhost/pod-smtp-sink:ci).
# Each image carries a hash of its recipe (label pod.recipe) and is rebuilt when the
# recipe changes. Where a registry is reachable, docker/podman pull the real images and
# this script is not needed. Runs as root (debootstrap, podman's storage).
set -euo pipefail
cd "$(dirname "$0")/images"

BASE=localhost/pod-debootstrap:bookworm
# Official name  <-  recipe in scripts/images/
IMAGES=(
  "docker.io/library/python:3.11-slim python.Containerfile"
  "docker.io/library/postgres:15 postgres.Containerfile"
  "docker.io/library/redis:7 redis.Containerfile"
  "localhost/pod-smtp-sink:ci smtp-sink.Containerfile"
)

say() { echo "[base-images] $*"; }

current_hash() {
  podman image inspect --format '{{index .Labels "pod.recipe"}}' "$1" 2>/dev/null || true
}

debian_mirror() {
  # The first Debian (not security) mirror of this machine's apt sources.
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
    2>/dev/null | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?( |$)' \
    | grep -v security | head -n1 | tr -d ' ' || true)
  uri=${uri:-http://deb.debian.org/debian}
  echo "${uri%/}"
}

build_base() {
  local hash mirror
  hash=$(echo "debootstrap minbase bookworm v1" | sha256sum | cut -c1-16)
  if [ "$(current_hash "$BASE")" = "$hash" ]; then
    say "$BASE: cached"
    return
  fi
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/pod-rootfs.XXXXXX)
  say "$BASE: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 || {
    tail -n 40 "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log"
  security=${mirror%/debian}/debian-security
  [ "$security" = "$mirror/debian-security" ] && security=http://deb.debian.org/debian-security
  cat > "$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
  # Smaller layers: no docs or man pages, apt keeps no downloaded packages.
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/01-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
EOF
  echo 'APT::Keep-Downloaded-Packages "false";' > "$rootfs/etc/apt/apt.conf.d/01-no-cache"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet \
    --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL pod.recipe=$hash" - "$BASE" > /dev/null
  rm -rf --one-file-system "$rootfs"
  rootfs=""
  say "$BASE: imported"
}

build_image() {
  local name=$1 recipe=$2 copied hash
  # The base's hash, the Containerfile and the files it copies.
  copied=$(sed -n 's/^COPY \([^ ]*\) .*/\1/p' "$context/$recipe")
  # shellcheck disable=SC2086
  hash=$( (current_hash "$BASE"; cd "$context" && cat "$recipe" && find $copied -type f | sort | xargs -r cat) \
    | sha256sum | cut -c1-16)
  if [ "$(current_hash "$name")" = "$hash" ]; then
    say "$name: cached"
    return
  fi
  say "$name: building from scripts/images/$recipe"
  podman build --quiet --network host --pull=never --label "pod.recipe=$hash" \
    -f "$context/$recipe" -t "$name" "$context" > /dev/null
  say "$name: built"
}

command -v podman > /dev/null || { echo "podman is needed: apt-get install podman"; exit 1; }
started=$(date +%s)
rootfs="" context=""
cleanup() {
  if [ -n "$rootfs" ]; then
    # debootstrap mounts /proc (and more) in the new root; a stopped run leaves them.
    grep -o " $rootfs/[^ ]*" /proc/mounts | sort -r | xargs -r umount -l || true
    rm -rf --one-file-system "$rootfs" "$rootfs.log"
  fi
  rm -rf "$context"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [ "$(id -u)" != 0 ]; then echo "run as root (debootstrap and podman's storage)"; exit 1; fi
command -v debootstrap > /dev/null || { echo "debootstrap is needed: apt-get install debootstrap"; exit 1; }
build_base
# The build context: scripts/images/ and this machine's extra certificate authorities.
context=$(mktemp -d /var/tmp/pod-images.XXXXXX)
cp -- *.Containerfile *.sh *.py "$context/"
mkdir "$context/local-ca"
cp /usr/local/share/ca-certificates/*.crt "$context/local-ca/" 2>/dev/null || true
for entry in "${IMAGES[@]}"; do
  # shellcheck disable=SC2086
  build_image $entry
done
say "done in $(($(date +%s) - started)) s"
