#!/usr/bin/env bash
# Starts the production shape of Kafka on loopback: three KRaft nodes, each broker and controller,
# with a three-voter controller quorum; replication factor 3 and min.insync.replicas 2 for every
# topic, internal ones included. Three JVMs from the same jars as scripts/kafka-up.sh
# (.kafka/libs-<version>, resolved once from Maven Central). Each node keeps its log directory
# ($KAFKA_CLUSTER_WORK_DIR/node-<n>/data) across restarts, formatted once with the cluster's id.
# Usage: kafka-cluster-up.sh [node ...]   (default: 1 2 3; one node starts again beside the others)
# Env: KAFKA_CLUSTER_WORK_DIR (default .kafka/cluster), KAFKA_CLUSTER_PORTS (default 19192,19193,19194),
#      KAFKA_CLUSTER_CONTROLLER_PORTS (default 19292,19293,19294), KAFKA_CLUSTER_ID,
#      KAFKA_START_TIMEOUT (s), KAFKA_LIBS_DIR, KAFKA_HEAP_OPTS (default -Xms128m -Xmx384m), KAFKA_JVM_OPTS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/lib/kafka-libs.sh"
WORK="${KAFKA_CLUSTER_WORK_DIR:-$ROOT/.kafka/cluster}"
IFS=, read -r -a PORTS <<< "${KAFKA_CLUSTER_PORTS:-19192,19193,19194}"
IFS=, read -r -a CPORTS <<< "${KAFKA_CLUSTER_CONTROLLER_PORTS:-19292,19293,19294}"
CLUSTER_ID="${KAFKA_CLUSTER_ID:-Xc7pQ2rLSnWb4kT9mE3vHg}"
TIMEOUT="${KAFKA_START_TIMEOUT:-150}"
LOG_OPT="-Dlog4j2.configurationFile=$TOOLS/log4j2.properties"
NODES=("$@")
[ ${#NODES[@]} -gt 0 ] || NODES=(1 2 3)
if [ ${#PORTS[@]} -ne 3 ] || [ ${#CPORTS[@]} -ne 3 ]; then
  echo "KAFKA_CLUSTER_PORTS and KAFKA_CLUSTER_CONTROLLER_PORTS name three ports each" >&2; exit 2
fi
BOOTSTRAP="127.0.0.1:${PORTS[0]},127.0.0.1:${PORTS[1]},127.0.0.1:${PORTS[2]}"
VOTERS="1@127.0.0.1:${CPORTS[0]},2@127.0.0.1:${CPORTS[1]},3@127.0.0.1:${CPORTS[2]}"

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "The Kafka cluster needs Java 17+ and Maven (apt-get install openjdk-17-jdk-headless maven)." >&2
  exit 3
fi

# The jars: the same cache as scripts/kafka-up.sh, resolved when not there yet.
resolve_kafka_libs

render () { # node dir port controller-port
  cat <<EOF
# Node $1 of a three-node KRaft cluster (broker + controller). Rendered by scripts/kafka-cluster-up.sh.
process.roles=broker,controller
node.id=$1
controller.quorum.voters=$VOTERS
listeners=PLAINTEXT://127.0.0.1:$3,CONTROLLER://127.0.0.1:$4
advertised.listeners=PLAINTEXT://127.0.0.1:$3
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$2/data

# three replicas of everything; a write with acks=all needs two of them
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false

# fast group joins and a small footprint: three of these share 2 cores with the services
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
num.partitions=1
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.dedupe.buffer.size=16777216
EOF
}

# Ours: a kafka.Kafka process started on this node's config.
ours () { local pid="$1" dir="$2"; kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" 2>/dev/null | grep -F "$dir/server.properties" | grep -q 'kafka\.Kafka'; }

started=()
for n in "${NODES[@]}"; do
  case "$n" in 1|2|3) ;; *) echo "no node $n (1, 2 or 3)" >&2; exit 2 ;; esac
  dir="$WORK/node-$n"; port="${PORTS[$((n - 1))]}"; cport="${CPORTS[$((n - 1))]}"
  mkdir -p "$dir/data" "$dir/logs"
  if [ -f "$dir/kafka.pid" ] && ours "$(cat "$dir/kafka.pid")" "$dir"; then
    echo "Kafka node $n already running (pid $(cat "$dir/kafka.pid"))"; continue
  fi
  for p in "$port" "$cport"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "127.0.0.1:$p is taken by another process; set KAFKA_CLUSTER_PORTS / KAFKA_CLUSTER_CONTROLLER_PORTS" >&2; exit 1
    fi
  done
  [ -f "$dir/logs/server.log" ] && mv -f "$dir/logs/server.log" "$dir/logs/server.log.1"
  render "$n" "$dir" "$port" "$cport" > "$dir/server.properties"
  META="$dir/data/meta.properties"
  if [ -f "$META" ]; then
    if ! grep -qx "cluster.id=$CLUSTER_ID" "$META"; then
      echo "$dir/data belongs to another cluster ($(grep '^cluster.id=' "$META")); move it away or set KAFKA_CLUSTER_WORK_DIR" >&2; exit 1
    fi
  elif ! java -Xmx256m ${KAFKA_JVM_OPTS:-} $LOG_OPT -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted \
       -t "$CLUSTER_ID" -c "$dir/server.properties" > "$dir/logs/format.log" 2>&1; then
    cat "$dir/logs/format.log" >&2; exit 1
  fi
  nohup java ${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:ActiveProcessorCount=1 \
    -Djava.awt.headless=true ${KAFKA_JVM_OPTS:-} $LOG_OPT -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    > "$dir/logs/server.log" 2>&1 < /dev/null &
  echo $! > "$dir/kafka.pid"
  started+=("$n")
done

# A node says "Kafka Server started" only once the quorum has a leader: all nodes start first.
deadline=$(( $(date +%s) + TIMEOUT ))
for n in "${started[@]}"; do
  dir="$WORK/node-$n"
  until grep -q "Kafka Server started" "$dir/logs/server.log"; do
    if ! ours "$(cat "$dir/kafka.pid")" "$dir"; then
      echo "Kafka node $n exited during start:" >&2; tail -n 40 "$dir/logs/server.log" >&2
      rm -f "$dir/kafka.pid"; bash "$ROOT/scripts/kafka-cluster-down.sh" "${started[@]}"; exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "Kafka node $n did not start within ${TIMEOUT}s:" >&2; tail -n 40 "$dir/logs/server.log" >&2
      bash "$ROOT/scripts/kafka-cluster-down.sh" "${started[@]}"; exit 1
    fi
    sleep 0.3
  done
done
if ! KAFKA_BROKERS="$BOOTSTRAP" node "$ROOT/scripts/wait-for-kafka.mjs" >&2; then
  bash "$ROOT/scripts/kafka-cluster-down.sh" "${started[@]}"; exit 1
fi
echo "Kafka $VERSION cluster ready on $BOOTSTRAP (nodes started: ${started[*]:-none}; data under $WORK)"
