#!/usr/bin/env bash
# Stops the broker that kafka-up.sh started, by the pid recorded in its work dir only
# (KAFKA_WORK_DIR, default .kafka). A controlled shutdown: SIGTERM, then wait until the broker
# has flushed its logs and exited; SIGKILL only after KAFKA_STOP_TIMEOUT seconds (default 60).
# The log directory is kept: the next kafka-up.sh starts on the same data.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${KAFKA_WORK_DIR:-$ROOT/.kafka}"
PIDFILE="$WORK/kafka.pid"
TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
[ -f "$PIDFILE" ] || exit 0
PID="$(cat "$PIDFILE")"

# Ours: a kafka.Kafka process started on this work dir's config (a reused pid is left alone).
ours() { kill -0 "$PID" 2>/dev/null && ps -o args= -p "$PID" 2>/dev/null | grep -F "$WORK/server.properties" | grep -q 'kafka\.Kafka'; }

if ours; then
  kill -TERM "$PID"
  deadline=$(( $(date +%s) + TIMEOUT ))
  while ours && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  if ours; then
    echo "Kafka (pid $PID) did not stop within ${TIMEOUT}s; killing it" >&2
    kill -KILL "$PID" 2>/dev/null || true
    for _ in $(seq 1 50); do ours || break; sleep 0.1; done
  fi
fi
rm -f "$PIDFILE"
