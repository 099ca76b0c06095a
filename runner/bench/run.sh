#!/usr/bin/env bash
# Runner throughput benchmark (docs/BENCHMARKS.md): the full default app (every sql/outputs file) over a
# file source of generated events, in Flink local mode, with blackhole sinks (the sinks cost nothing: this
# measures parsing, validation, de-duplication, windows and checkpoints), once per state backend:
#   hashmap  heap state, full snapshots (the figure before issue 13)
#   rocksdb  RocksDB with incremental checkpoints, as Managed Flink runs every application
# For each: CPU-seconds per million events, events/s, peak RSS, and the last completed checkpoint's full
# and incremental size and duration (Flink's REST API, polled during the run). Then the same outputs in
# one DuckDB batch pass over the same file (local/bench-reference.ts), with its CPU measured, and the ratio
# runner CPU per event / DuckDB CPU per event (ratios hold on a shared machine where absolute times do not).
#
# Usage: bash runner/bench/run.sh
#   BENCH_EVENTS (2000000), BENCH_PARALLELISM (2), BENCH_HEAP (3g), BENCH_BACKENDS ("hashmap rocksdb"),
#   BENCH_JAR (another build of the runner, for a before/after), BENCH_SQL_DIR (sql: the SQL it runs, e.g. a
#   checkout of the same commit as BENCH_JAR), BENCH_CHECKPOINT_MS (10000), BENCH_MANAGED_PER_SLOT_MB (512), BENCH_FLINK ("key=value,...": extra Flink options, local), BENCH_PROFILE=1: run under async-profiler (runner/bench/profile.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${BENCH_EVENTS:-2000000}"
PAR="${BENCH_PARALLELISM:-2}"
HEAP="${BENCH_HEAP:-3g}"
BACKENDS="${BENCH_BACKENDS:-hashmap rocksdb}"
CHECKPOINT_MS="${BENCH_CHECKPOINT_MS:-10000}"
# Managed memory per slot (RocksDB's block cache and write buffers, and the window operators' buffers).
# A Managed Flink KPU (one slot by default) has 4 GB, "one GB native and three GB heap": 512 MB of it for
# RocksDB per slot is within that. The MiniCluster's default is 128 MB for ALL slots (64 MB each here),
# with which RocksDB re-reads and decompresses its files on almost every state access (docs/BENCHMARKS.md).
MANAGED_PER_SLOT_MB="${BENCH_MANAGED_PER_SLOT_MB:-512}"
REST_PORT="${BENCH_REST_PORT:-$((18100 + RANDOM % 800))}"
WORK="runner/target/bench"
mkdir -p "$WORK"
# The dev-only tools (GenerateEvents, LocalApp: runner/src/tools/java) compile with the tests into
# runner/target/test-classes, not into the jar: "package" with -DskipTests still compiles them.
TOOLS="runner/target/test-classes"
if [ ! -f runner/target/clickstream-runner.jar ] || [ ! -f runner/target/classpath.txt ] \
  || [ ! -f "$TOOLS/com/clickstream/runner/tools/LocalApp.class" ]; then
  mvn -q -f runner/pom.xml -DskipTests package
fi
CP="${BENCH_JAR:-runner/target/clickstream-runner.jar}:$(cat runner/target/classpath.txt)"
OPENS="$(sed -n 's/.*<flink.add-opens>\(.*\)<\/flink.add-opens>.*/\1/p' runner/pom.xml)"
DATA="$WORK/events-$EVENTS.jsonl"
if [ ! -f "$DATA" ]; then
  echo "generating $EVENTS events -> $DATA"
  java -cp "$TOOLS" com.clickstream.runner.tools.GenerateEvents --events "$EVENTS" --out "$DATA.tmp"
  mv "$DATA.tmp" "$DATA"
fi

# Polls the job's checkpoint statistics until the runner exits; the last answer is kept in $1. From the
# poll that first sees the job RUNNING on, every poll also appends "<epoch ms> <ticks>" to $1.ticks: the
# JVM's CPU ticks (user + sys, /proc/<pid>/stat). Its first and last lines (the last within a second of
# the end) give the CPU of the job itself, without JVM start and planning (fixed costs that weigh on small
# BENCH_EVENTS); all of them, the steady-state figure (steady_state below).
poll_checkpoints() {
  local out="$1" pid="$2" job="" jvm="" ticks=""
  while kill -0 "$pid" 2>/dev/null; do
    [ -n "$jvm" ] || jvm=$(pgrep -P "$pid" java | head -1 || true)
    if [ -z "$job" ]; then
      job=$(curl -sf "http://127.0.0.1:$REST_PORT/jobs" 2>/dev/null | jq -r '.jobs[] | select(.status == "RUNNING") | .id' 2>/dev/null | head -1 || true)
    fi
    if [ -n "$job" ]; then
      curl -sf "http://127.0.0.1:$REST_PORT/jobs/$job/checkpoints" -o "$out.tmp" 2>/dev/null && mv "$out.tmp" "$out" || true
      if [ -n "$jvm" ]; then
        ticks=$(awk '{ print $14 + $15 }' "/proc/$jvm/stat" 2>/dev/null || true)
        [ -z "$ticks" ] || echo "$(date +%s%3N) $ticks" >> "$out.ticks"   # nothing once the JVM has exited
      fi
    fi
    sleep 1
  done
}

# The steady state: CPU per event between two checkpoints, once JVM start, planning and the first
# quarter of the input (most of the JIT compilation) are behind. Events: the source's own read counters
# at each checkpoint (the runner's accounting lines, summed over subtasks); time: the checkpoint's trigger
# timestamp (Flink's REST history, kept for up to 10,000 checkpoints: web.checkpoints.history below), when
# the sources took their counts; CPU: the JVM's ticks at that
# moment, interpolated between the 1-second polls. From the first checkpoint with at least a quarter of
# the events read to the last completed one.
steady_state() {
  local run="$1" events="$2"
  [ -f "$run/checkpoints.json" ] && [ -f "$run/checkpoints.json.ticks" ] || return 0
  {
    jq -r '.history[] | select(.status == "COMPLETED") | "T \(.id) \(.trigger_timestamp)"' "$run/checkpoints.json"
    sed -n 's/.*accounting checkpoint=\([0-9]*\) stage=source subtask=\([0-9]*\)\/[0-9]* read=\([0-9]*\).*/R \1 \2 \3/p' "$run/runner.log"
    sed 's/^/C /' "$run/checkpoints.json.ticks"
  } | awk -v n="$events" -v hz="$(getconf CLK_TCK)" '
    $1 == "T" { trig[$2] = $3 } $1 == "R" { read[$2, $3] = $4; sub_[$3] = 1; if ($2 > maxid) maxid = $2 }
    $1 == "C" { ct[++nc] = $2; cv[nc] = $3 }
    function ticks(t,   i) { for (i = 2; i <= nc; i++) if (ct[i] >= t) return cv[i-1] + (cv[i] - cv[i-1]) * (t - ct[i-1]) / (ct[i] - ct[i-1]); return -1 }
    END {
      for (id = 1; id <= maxid; id++) { tot = 0; for (s in sub_) { if ((id, s) in read) last[s] = read[id, s]; tot += last[s] } total[id] = tot }
      a = 0; b = 0
      for (id = 1; id <= maxid; id++) if (id in trig) { if (!a && total[id] >= n / 4) a = id; b = id }
      if (!a || b <= a) { print "steady state:           not measured (fewer than two checkpoints after a quarter of the events)"; exit }
      ca = ticks(trig[a]); cb = ticks(trig[b]); ev = total[b] - total[a]
      if (ca < 0 || cb < 0 || ev <= 0) { print "steady state:           not measured (no CPU sample at the checkpoints)"; exit }
      printf "steady state:           %.1f CPU-s per million events (checkpoints #%d to #%d: %d events read in %.1f s, %.1f CPU-s)\n", (cb-ca)/hz/(ev/1e6), a, b, ev, (trig[b]-trig[a])/1000, (cb-ca)/hz
    }'
}

declare -A CPU_PER_M
for BACKEND in $BACKENDS; do
  RUN="$WORK/$BACKEND"
  rm -rf "$RUN"
  mkdir -p "$RUN"
  java -cp "$TOOLS:$CP" com.clickstream.runner.tools.LocalApp --sql-dir "${BENCH_SQL_DIR:-sql}" --input "$DATA" --blackhole \
    --region bench-1 --parallelism "$PAR" --checkpoint-ms "$CHECKPOINT_MS" --state-backend "$BACKEND" \
    --checkpoint-dir "$RUN/checkpoints" --rest-port "$REST_PORT" --flink "taskmanager.memory.managed.size=$((MANAGED_PER_SLOT_MB * PAR))m,web.checkpoints.history=10000,${BENCH_FLINK:-}" --out "$RUN/app.json"
  PROFILE_OPT=()
  if [ "${BENCH_PROFILE:-0}" = "1" ]; then
    PROFILE_OPT=("-agentpath:$(bash runner/bench/profile.sh --agent)=start,event=${BENCH_PROFILE_EVENT:-cpu},interval=${BENCH_PROFILE_INTERVAL:-10ms},file=$RUN/profile.collapsed,collapsed")
  fi
  echo "== $BACKEND: $EVENTS events, parallelism $PAR, checkpoint every $CHECKPOINT_MS ms, managed memory $MANAGED_PER_SLOT_MB MB per slot${BENCH_FLINK:+, $BENCH_FLINK}${PROFILE_OPT:+, under async-profiler}"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v -o "$RUN/time.txt" java -Xmx"$HEAP" -Dlog4j.configurationFile=runner/bench/log4j2.properties $OPENS \
    "${PROFILE_OPT[@]}" -cp "$CP" com.clickstream.runner.SqlRunner --properties "$RUN/app.json" 2> "$RUN/runner.log" &
  PID=$!
  poll_checkpoints "$RUN/checkpoints.json" "$PID" &
  POLL=$!
  wait "$PID" || { echo "runner failed: see $RUN/runner.log"; tail -20 "$RUN/runner.log"; exit 1; }
  wait "$POLL" || true
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  NET_MS=$(sed -n 's/.*net runtime \([0-9]*\) ms.*/\1/p' "$RUN/runner.log")
  WALL_MS=$(sed -n 's/.*wall \([0-9]*\) ms.*/\1/p' "$RUN/runner.log")
  USER_S=$(sed -n 's/.*User time (seconds): //p' "$RUN/time.txt")
  SYS_S=$(sed -n 's/.*System time (seconds): //p' "$RUN/time.txt")
  RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$RUN/time.txt")
  awk -v n="$EVENTS" -v net="$NET_MS" -v wall="$WALL_MS" -v u="$USER_S" -v s="$SYS_S" -v rss="$RSS_KB" -v par="$PAR" 'BEGIN {
    printf "events:                 %d (parallelism %d)\n", n, par;
    printf "job net runtime:        %.1f s  -> %.0f events/s\n", net/1000, n/(net/1000);
    printf "process wall time:      %.1f s  -> %.0f events/s (incl. JVM start, planning)\n", wall/1000, n/(wall/1000);
    printf "CPU (user+sys):         %.1f s  -> %.1f CPU-s per million events\n", u+s, (u+s)/(n/1e6);
    printf "peak RSS:               %.0f MiB\n", rss/1024;
  }'
  if [ -s "$RUN/checkpoints.json.ticks" ]; then
    awk -v n="$EVENTS" -v a="$(head -1 "$RUN/checkpoints.json.ticks" | cut -d' ' -f2)" -v b="$(tail -1 "$RUN/checkpoints.json.ticks" | cut -d' ' -f2)" -v hz="$(getconf CLK_TCK)" 'BEGIN {
      printf "CPU while the job ran:  %.1f s  -> %.1f CPU-s per million events (from RUNNING to the last poll, <= 1 s before the end)\n", (b-a)/hz, (b-a)/hz/(n/1e6);
    }'
  fi
  steady_state "$RUN" "$EVENTS"
  CPU_PER_M[$BACKEND]=$(awk -v n="$EVENTS" -v u="$USER_S" -v s="$SYS_S" 'BEGIN { printf "%.2f", (u+s)/(n/1e6) }')
  if [ -f "$RUN/checkpoints.json" ]; then
    # The last completed checkpoint: state_size is its full size (every file it references, shared
    # RocksDB files included), checkpointed_size what this checkpoint wrote (the incremental part).
    jq -r '.counts as $c | .latest.completed as $l | .summary as $s |
      "checkpoints:            \($c.completed) completed, \($c.failed) failed; last completed #\($l.id // "none"): full \((($l.state_size // 0)/1048576*10|round)/10) MiB, incremental \((($l.checkpointed_size // 0)/1048576*10|round)/10) MiB, \($l.end_to_end_duration // 0) ms; duration avg \($s.end_to_end_duration.avg // 0) ms, max \($s.end_to_end_duration.max // 0) ms"' \
      "$RUN/checkpoints.json"
    LAST=$(jq -r '.latest.completed.id // empty' "$RUN/checkpoints.json")
    FULL=$(jq -r '.latest.completed.state_size // 0' "$RUN/checkpoints.json")
    if [ -n "$LAST" ]; then
      # Unique valid events in the de-duplication state at that checkpoint: every one the lateness
      # operator had seen (on time + late), summed over its subtasks (Accounting's log line).
      UNIQUE=$(grep "accounting checkpoint=$LAST stage=lateness" "$RUN/runner.log" \
        | sed -n 's/.* on_time=\([0-9]*\) late=\([0-9]*\).*/\1 \2/p' | awk '{ s += $1 + $2 } END { print s + 0 }')
      awk -v f="$FULL" -v u="$UNIQUE" -v id="$LAST" 'BEGIN {
        if (u > 0) printf "state per event_id:     %.1f bytes (checkpoint #%d: %d bytes full / %d unique events in the de-duplication state)\n", f/u, id, f, u;
      }'
    fi
  else
    echo "checkpoints:            none read (REST API on port $REST_PORT not reached)"
  fi
done

echo "== DuckDB reference: the same outputs over $DATA, one batch pass"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
npx ts-node --transpile-only local/bench-reference.ts "$DATA" | tee "$WORK/reference.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
REF=$(sed -n 's/.*cpu_s_per_million=\([0-9.]*\).*/\1/p' "$WORK/reference.txt")
for BACKEND in $BACKENDS; do
  awk -v b="$BACKEND" -v r="${CPU_PER_M[$BACKEND]}" -v d="$REF" 'BEGIN {
    printf "ratio %-8s runner %.1f / DuckDB %.1f CPU-s per million events = %.1fx\n", b":", r, d, r/d;
  }'
done
