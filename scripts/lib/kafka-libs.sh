# Sourced by scripts/kafka-up.sh and scripts/kafka-cluster-up.sh: the Apache Kafka jars of
# tools/kafka/pom.xml, one cache per checkout (.kafka/libs-<version>, or KAFKA_LIBS_DIR) for every
# work dir and both scripts. Needs ROOT; sets TOOLS, VERSION and LIBS; resolve_kafka_libs fills
# the cache from Maven Central when it is not complete yet.
TOOLS="$ROOT/tools/kafka"
VERSION="$(sed -n 's#.*<kafka.version>\(.*\)</kafka.version>.*#\1#p' "$TOOLS/pom.xml")"
LIBS="${KAFKA_LIBS_DIR:-$ROOT/.kafka/libs-$VERSION}"

resolve_kafka_libs () {
  [ ! -f "$LIBS/.complete" ] || return 0
  echo "Resolving Apache Kafka $VERSION from Maven Central (once)..." >&2
  # Resolved aside and moved into place, so a concurrent start never sees half a classpath.
  mkdir -p "$(dirname "$LIBS")"
  local tmp
  tmp="$(mktemp -d "$LIBS.tmp.XXXXXX")"
  mvn -B -q -ntp -f "$TOOLS/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp" >&2
  touch "$tmp/.complete"
  if [ -f "$LIBS/.complete" ]; then rm -rf "$tmp"; else rm -rf "$LIBS"; mv "$tmp" "$LIBS"; fi
}
