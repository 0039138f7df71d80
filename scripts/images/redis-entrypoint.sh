#!/bin/sh
# As the official redis image: options alone run redis-server; redis-server listens
# on every address (the container's network is the protection).
set -eu
case "${1:-}" in -*) set -- redis-server "$@" ;; esac
if [ "${1:-}" = "redis-server" ]; then
  shift
  exec redis-server --bind 0.0.0.0 --protected-mode no --daemonize no "$@"
fi
exec "$@"
