#!/usr/bin/env bash
# Stops nodes of the cluster that kafka-cluster-up.sh started, by the pids recorded in their work
# dirs only. A controlled shutdown (SIGTERM, wait until gone; SIGKILL after KAFKA_STOP_TIMEOUT s,
# default 60), all named nodes at once: a node that waits for the others' quorum to stop cleanly
# must not wait for one that is already gone. The log directories are kept.
# Usage: kafka-cluster-down.sh [node ...]   (default: 1 2 3)
# Env: KAFKA_CLUSTER_WORK_DIR (default .kafka/cluster), KAFKA_STOP_TIMEOUT, KAFKA_STOP_SIGNAL (default TERM; KILL to crash it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${KAFKA_CLUSTER_WORK_DIR:-$ROOT/.kafka/cluster}"
TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
SIGNAL="${KAFKA_STOP_SIGNAL:-TERM}"
NODES=("$@")
[ ${#NODES[@]} -gt 0 ] || NODES=(1 2 3)

ours () { local pid="$1" dir="$2"; kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" 2>/dev/null | grep -F "$dir/server.properties" | grep -q 'kafka\.Kafka'; }

pids=(); dirs=()
for n in "${NODES[@]}"; do
  dir="$WORK/node-$n"
  [ -f "$dir/kafka.pid" ] || continue
  pid="$(cat "$dir/kafka.pid")"
  if ours "$pid" "$dir"; then kill "-$SIGNAL" "$pid"; pids+=("$pid"); dirs+=("$dir"); else rm -f "$dir/kafka.pid"; fi
done
deadline=$(( $(date +%s) + TIMEOUT ))
for i in "${!pids[@]}"; do
  while ours "${pids[$i]}" "${dirs[$i]}" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  if ours "${pids[$i]}" "${dirs[$i]}"; then
    echo "Kafka (pid ${pids[$i]}) did not stop within ${TIMEOUT}s; killing it" >&2
    kill -KILL "${pids[$i]}" 2>/dev/null || true
    for _ in $(seq 1 50); do ours "${pids[$i]}" "${dirs[$i]}" || break; sleep 0.1; done
  fi
  rm -f "${dirs[$i]}/kafka.pid"
done
