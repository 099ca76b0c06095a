#!/usr/bin/env bash
# Runner throughput benchmark: the full default app (every sql/outputs file) over a file source of
# generated events, in Flink local mode, with blackhole sinks (the sinks cost nothing: this measures parsing, validation, de-duplication and windows). Prints events/s, CPU-seconds per million
# events and peak RSS. Usage: bash runner/bench/run.sh   (BENCH_EVENTS, BENCH_PARALLELISM, BENCH_HEAP)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${BENCH_EVENTS:-2000000}"
PAR="${BENCH_PARALLELISM:-2}"
HEAP="${BENCH_HEAP:-3g}"
WORK="runner/target/bench"
mkdir -p "$WORK"
# The dev-only tools (GenerateEvents, LocalApp: runner/src/tools/java) compile with the tests into
# runner/target/test-classes, not into the jar: "package" with -DskipTests still compiles them.
TOOLS="runner/target/test-classes"
if [ ! -f runner/target/clickstream-runner.jar ] || [ ! -f runner/target/classpath.txt ] \
  || [ ! -f "$TOOLS/com/clickstream/runner/tools/LocalApp.class" ]; then
  mvn -q -f runner/pom.xml -DskipTests package
fi
CP="runner/target/clickstream-runner.jar:$(cat runner/target/classpath.txt)"
OPENS="$(sed -n 's/.*<flink.add-opens>\(.*\)<\/flink.add-opens>.*/\1/p' runner/pom.xml)"
DATA="$WORK/events-$EVENTS.jsonl"
if [ ! -f "$DATA" ]; then
  echo "generating $EVENTS events -> $DATA"
  java -cp "$TOOLS" com.clickstream.runner.tools.GenerateEvents --events "$EVENTS" --out "$DATA.tmp"
  mv "$DATA.tmp" "$DATA"
fi

java -cp "$TOOLS:$CP" com.clickstream.runner.tools.LocalApp --sql-dir sql --input "$DATA" --blackhole \
  --region bench-1 --parallelism "$PAR" --checkpoint-ms 10000 --out "$WORK/app.json"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v -o "$WORK/time.txt" java -Xmx"$HEAP" -Dlog4j.configurationFile=runner/bench/log4j2.properties $OPENS -cp "$CP" com.clickstream.runner.SqlRunner \
  --properties "$WORK/app.json" 2> "$WORK/runner.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
NET_MS=$(sed -n 's/.*net runtime \([0-9]*\) ms.*/\1/p' "$WORK/runner.log")
WALL_MS=$(sed -n 's/.*wall \([0-9]*\) ms.*/\1/p' "$WORK/runner.log")
USER_S=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
SYS_S=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
REJECTED=n/a
awk -v n="$EVENTS" -v net="$NET_MS" -v wall="$WALL_MS" -v u="$USER_S" -v s="$SYS_S" -v rss="$RSS_KB" -v par="$PAR" 'BEGIN {
  printf "events:                 %d (parallelism %d)\n", n, par;
  printf "job net runtime:        %.1f s  -> %.0f events/s\n", net/1000, n/(net/1000);
  printf "process wall time:      %.1f s  -> %.0f events/s (incl. JVM start, planning)\n", wall/1000, n/(wall/1000);
  printf "CPU (user+sys):         %.1f s  -> %.1f CPU-s per million events\n", u+s, (u+s)/(n/1e6);
  printf "peak RSS:               %.0f MiB\n", rss/1024;
}'
