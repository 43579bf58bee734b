#!/usr/bin/env bash
# npm test: brings up what the tests need with the same scripts as `npm start` (PostgreSQL: the
# local server, or an embedded one; Kafka: KAFKA_BROKERS, or the local broker from Maven Central
# jars), runs tap over test/, and ends with the line "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cleanup() {
  [ -n "${PG_PID:-}" ] && kill -TERM "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null
  [ "${STARTED_KAFKA:-0}" = 1 ] && bash scripts/kafka-down.sh
  [ -n "${REDIS_PID:-}" ] && kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
}
trap cleanup EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  out="$(bash scripts/kafka-up.sh)" || { echo "Kafka did not start" >&2; exit 1; }
  echo "$out"
  if grep -q "already running" <<<"$out"; then STARTED_KAFKA=0; else STARTED_KAFKA=1; fi
  export KAFKA_BROKERS=127.0.0.1:9092
fi

if [ -z "${WAMS_POSTGRES_SERVER:-}" ]; then
  if [ -n "${DATABASE_URL:-}" ]; then
    export WAMS_POSTGRES_SERVER="$DATABASE_URL"
  elif ! node -e "const c=new (require('pg').Client)('postgres://postgres@127.0.0.1:5432/postgres');c.connect().then(()=>c.end(),()=>process.exit(1))"; then
    coproc PG { node --import tsx scripts/postgres-embedded.ts; }
    PG_PID=$PG_PID
    read -r -t 120 url <&"${PG[0]}" || { echo "embedded PostgreSQL did not start" >&2; exit 1; }
    export WAMS_POSTGRES_SERVER="$url"
  fi
fi

# Redis for the gateways' shared rate limit (test/gateway/rate-limit-shared.test.ts): the local one
# (WAMS_REDIS_URL overrides), or one started here, keeping nothing on disk, when none answers.
if [ -z "${WAMS_REDIS_URL:-}" ] && command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null 2>&1 &
  REDIS_PID=$!
fi

export KAFKAJS_NO_PARTITIONER_WARNING=1
OUT="$(mktemp)"
npx tap --reporter=tap "$@" 2>&1 | tee "$OUT"
status=${PIPESTATUS[0]}
summary="$(grep -E '^# \{ total: ' "$OUT" | tail -n 1)"
total="$(sed -nE 's/.*total: ([0-9]+).*/\1/p' <<<"$summary")"
pass="$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")"
fail="$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")"
rm -f "$OUT"
echo "${pass:-0} passed, ${fail:-0} failed"
if [ -z "$total" ] || [ "${total:-0}" = 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"
