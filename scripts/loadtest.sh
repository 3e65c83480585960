#!/bin/sh
# Bounded load test of a running `make serve`-equivalent web process on 127.0.0.1.
# Runs the mix (scripts/loadtest.lua), a cached-anonymous run, and the mix again with
# faults: every database connection terminated once, the page cache's Redis stopped
# and restarted once. Writes var/bench/load.json and prints it.
# Environment: LOADTEST_URL (http://127.0.0.1:8000), LOADTEST_SECONDS (12 per run),
# LOADTEST_WARM (1: fetch every page of the mix once before the runs),
# LOADTEST_CONNECTIONS (32), LOADTEST_RUNS (the runs to make: "mix cached faults"),
# LOADTEST_REDIS_PORT (the throw-away Redis), PY, DATABASE_URL (the dataset served).
set -eu
URL=${LOADTEST_URL:-http://127.0.0.1:8000}
SECONDS_=${LOADTEST_SECONDS:-12}
CONN=${LOADTEST_CONNECTIONS:-32}
RUNS=${LOADTEST_RUNS:-mix cached faults}
PY=${PY:-.venv/bin/python}
case "$URL" in http://127.0.0.1:*) ;; *) echo "only against 127.0.0.1" >&2; exit 2;; esac
PATHS=var/bench/loadtest
mkdir -p "$PATHS"
# The mix's pages: 12 queries x 9 filters, 500 published RIIs, 5 others.
for q in laser microscopy additive nano battery sensor polymer coating imaging robot \
    photonics testing; do
  for f in "" "&region=DE" "&region=ITH" "&ket=AM" "&ket=NANO" "&page=2" \
      "&country=FR&ket=AM" "&service_type=testing" "&sort=name"; do
    echo "/infrastructures/?q=$q$f"
  done
done > "$PATHS/search.txt"
printf '%s\n' / /regions/DE/ /regions/ITH5/ /technologies/AM/ /technologies/NANO/ \
  > "$PATHS/others.txt"
$PY manage.py shell --no-imports -c "
from catalogue.models import Infrastructure
for i in Infrastructure.objects.published().order_by('?')[:500]:
    print(i.get_absolute_url())" | grep "^/" > "$PATHS/rii.txt" || true
echo "$(cat "$PATHS"/*.txt | wc -l) paths; runs of ${SECONDS_}s, $CONN connections: $RUNS" >&2
export LOADTEST_PATHS="$PATHS"
# Steady state: every page of the mix is asked for once first (4 at a time), as
# earlier traffic would have; LOADTEST_WARM=0 measures from an empty cache instead.
if [ "${LOADTEST_WARM:-1}" = 1 ]; then
  started=$(date +%s)
  cat "$PATHS"/*.txt | sed "s|^|url = \"$URL|; s|\$|\"\noutput = /dev/null|" > "$PATHS/warm.curl"
  curl -s --no-progress-meter -Z --parallel-max 4 -K "$PATHS/warm.curl" || true
  echo "warmed the cache in $(($(date +%s) - started))s" >&2
fi
run() { wrk -t2 -c"$CONN" -d"${SECONDS_}s" --latency -s scripts/loadtest.lua "$URL" | tail -1; }
mix=null; cached=null; faults=null
: > var/bench/faults.log
for name in $RUNS; do
  case "$name" in
    mix) mix=$(run); echo "mix: $mix" >&2 ;;
    cached) cached=$(LOADTEST_CACHED=1 run); echo "cached: $cached" >&2 ;;
    faults)
      start=$(date +%s)
      ( sleep $((SECONDS_ / 3))
        echo "fault db $(($(date +%s) - start))s" >&2
        $PY manage.py shell --no-imports -c "
from django.db import connection
with connection.cursor() as c:
    c.execute('SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
    print('terminated', c.fetchone()[0], 'connections')" >&2
        ) 2>> var/bench/faults.log &
      ( if [ -n "${LOADTEST_REDIS_PORT:-}" ]; then
          sleep $((2 * SECONDS_ / 3))
          echo "fault redis $(($(date +%s) - start))s" >&2
          redis-cli -p "$LOADTEST_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
          sleep 2
          redis-server --port "$LOADTEST_REDIS_PORT" --bind 127.0.0.1 --save "" --daemonize yes >/dev/null
          echo "redis back $(($(date +%s) - start))s" >&2
        fi ) 2>> var/bench/faults.log &
      faults=$(run)
      wait
      echo "faults: $faults" >&2 ;;
    *) echo "unknown run $name (mix, cached, faults)" >&2; exit 2 ;;
  esac
done
printf '{"seconds_per_run": %s, "connections": %s, "mix": %s, "cached": %s, "mix_with_faults": %s, "faults": "%s"}\n' \
  "$SECONDS_" "$CONN" "$mix" "$cached" "$faults" "$(tr '\n' ';' < var/bench/faults.log)" > var/bench/load.json
cat var/bench/load.json
