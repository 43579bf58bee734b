#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft) on loopback from the jars on Maven Central.
# The jars are resolved once into .kafka/libs-<version> (KAFKA_LIBS_DIR); later starts reuse them.
# The broker's log directory ($KAFKA_WORK_DIR/data, default .kafka/data) is formatted once, with
# the same cluster id, and kept across restarts: what the broker acknowledged survives a stop.
# Idempotent: if a ready broker already answers on the port, it is left running.
# Env: KAFKA_WORK_DIR (data, logs, config, pid file), KAFKA_PORT, KAFKA_CONTROLLER_PORT,
#      KAFKA_CLUSTER_ID, KAFKA_START_TIMEOUT (s), KAFKA_LIBS_DIR, KAFKA_HEAP_OPTS, KAFKA_JVM_OPTS (added).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/lib/kafka-libs.sh"
WORK="${KAFKA_WORK_DIR:-$ROOT/.kafka}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
CLUSTER_ID="${KAFKA_CLUSTER_ID:-Wq2mXk5LTo-3rX0dFYvJZg}"
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
LOG_OPT="-Dlog4j2.configurationFile=$TOOLS/log4j2.properties"
export KAFKA_WORK_DIR="$WORK" KAFKA_PORT="$PORT" KAFKA_CONTROLLER_PORT="$CPORT"

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "Kafka needs Java 17+ and Maven to start a local broker. Install both (apt-get install openjdk-17-jdk-headless maven)," >&2
  echo "or set KAFKA_BROKERS=host:port to use an existing Kafka cluster." >&2
  exit 3
fi
mkdir -p "$WORK"

resolve_kafka_libs

# A broker that already answers on the port is used as it is (ours from an earlier start, or
# one from another checkout); the caller sees "already running" and will not stop it.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  if KAFKA_BROKERS="127.0.0.1:$PORT" KAFKA_READY_TIMEOUT_MS=15000 node "$ROOT/scripts/wait-for-kafka.mjs" >/dev/null 2>&1; then
    echo "Kafka already running on 127.0.0.1:$PORT"
    exit 0
  fi
  echo "127.0.0.1:$PORT is taken by a process that is not a ready Kafka broker; set KAFKA_PORT or KAFKA_BROKERS" >&2; exit 1
fi
# A broker of this work dir that does not answer (still starting, or hung) is stopped first:
# two brokers must never share one log directory.
bash "$ROOT/scripts/kafka-down.sh"

mkdir -p "$WORK/data" "$WORK/logs"
[ -f "$WORK/logs/server.log" ] && mv -f "$WORK/logs/server.log" "$WORK/logs/server.log.1"
sed -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CPORT#g" -e "s#@DATA_DIR@#$WORK/data#g" \
  "$TOOLS/server.properties.in" > "$WORK/server.properties"
# Formats the log directory once. A directory formatted before is kept as it is (--ignore-formatted),
# so the topics and what the broker acknowledged survive a restart; the check here only saves a JVM start.
META="$WORK/data/meta.properties"
if [ -f "$META" ]; then
  if ! grep -qx "cluster.id=$CLUSTER_ID" "$META"; then
    echo "$WORK/data belongs to another cluster ($(grep '^cluster.id=' "$META")), not $CLUSTER_ID." >&2
    echo "Stop its broker and move that directory away, or set KAFKA_WORK_DIR to another directory." >&2
    exit 1
  fi
elif ! java -Xmx256m ${KAFKA_JVM_OPTS:-} $LOG_OPT -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted \
     -t "$CLUSTER_ID" -c "$WORK/server.properties" > "$WORK/logs/format.log" 2>&1; then
  cat "$WORK/logs/format.log" >&2; exit 1
fi
nohup java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -Djava.awt.headless=true ${KAFKA_JVM_OPTS:-} $LOG_OPT -cp "$LIBS/*" kafka.Kafka "$WORK/server.properties" \
  > "$WORK/logs/server.log" 2>&1 < /dev/null &
echo $! > "$WORK/kafka.pid"

deadline=$(( $(date +%s) + TIMEOUT ))
until grep -q "Kafka Server started" "$WORK/logs/server.log"; do
  if ! kill -0 "$(cat "$WORK/kafka.pid")" 2>/dev/null; then
    echo "Kafka exited during start:" >&2; tail -n 60 "$WORK/logs/server.log" >&2; rm -f "$WORK/kafka.pid"; exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "Kafka did not start within ${TIMEOUT}s:" >&2; tail -n 60 "$WORK/logs/server.log" >&2
    bash "$ROOT/scripts/kafka-down.sh"; exit 1
  fi
  sleep 0.3
done
if ! KAFKA_BROKERS="127.0.0.1:$PORT" node "$ROOT/scripts/wait-for-kafka.mjs" >&2; then
  tail -n 60 "$WORK/logs/server.log" >&2; bash "$ROOT/scripts/kafka-down.sh"; exit 1
fi
echo "Kafka $VERSION ready on 127.0.0.1:$PORT (pid $(cat "$WORK/kafka.pid"), data $WORK/data)"
