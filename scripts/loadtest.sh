#!/bin/sh
# Bounded load test of a running `make serve`-equivalent web process on 127.0.0.1.
# Runs the mix (scripts/loadtest.lua), a cached-anonymous run, and the mix again with
# faults: every database connection terminated once, the page cache's Redis stopped
# and restarted once. Writes var/bench/load.json and prints it.
# Environment: LOADTEST_URL (http://127.0.0.1:8000), LOADTEST_SECONDS (20),
# LOADTEST_CONNECTIONS (32), LOADTEST_REDIS_PORT (the throw-away Redis), PY.
set -eu
URL=${LOADTEST_URL:-http://127.0.0.1:8000}
SECONDS_=${LOADTEST_SECONDS:-20}
CONN=${LOADTEST_CONNECTIONS:-32}
PY=${PY:-.venv/bin/python}
case "$URL" in http://127.0.0.1:*) ;; *) echo "only against 127.0.0.1" >&2; exit 2;; esac
mkdir -p var/bench
$PY manage.py shell --no-imports -c "
from catalogue.models import Infrastructure
for i in Infrastructure.objects.published().order_by('?')[:500]:
    print(i.get_absolute_url())" | grep "^/" > var/bench/rii_paths.txt || true
run() { wrk -t2 -c"$CONN" -d"${SECONDS_}s" --latency -s scripts/loadtest.lua "$URL" | tail -1; }
mix=$(run)
cached=$(LOADTEST_CACHED=1 run)
start=$(date +%s)
( sleep $((SECONDS_ / 3))
  echo "fault db $(($(date +%s) - start))s" >&2
  $PY manage.py shell --no-imports -c "
from django.db import connection
with connection.cursor() as c:
    c.execute('SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')" >&2
  ) 2> var/bench/faults.log &
( if [ -n "${LOADTEST_REDIS_PORT:-}" ]; then
    sleep $((2 * SECONDS_ / 3))
    echo "fault redis $(($(date +%s) - start))s" >&2
    redis-cli -p "$LOADTEST_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    sleep 2
    redis-server --port "$LOADTEST_REDIS_PORT" --bind 127.0.0.1 --save "" --daemonize yes >/dev/null
  fi ) 2>> var/bench/faults.log &
faults=$(run)
wait
printf '{"mix": %s, "cached": %s, "mix_with_faults": %s, "faults": "%s"}\n' \
  "$mix" "$cached" "$faults" "$(tr '\n' ';' < var/bench/faults.log)" > var/bench/load.json
cat var/bench/load.json
