#!/usr/bin/env bash
# CPU profile of the runner benchmark (docs/BENCHMARKS.md, "Profile"): runs runner/bench/run.sh on RocksDB
# under async-profiler (tools.profiler:async-profiler from Maven, its linux-x64 agent unpacked from the jar
# that `mvn package` copies to runner/target/bench-tools), in CPU mode, and writes the collapsed stacks to
# runner/target/bench/rocksdb/profile.collapsed (one line per stack: frames separated by ';', then the
# sample count; open it with any flame-graph tool), then prints the top frames by share
# (tools/profile-summary.ts: self and total, grouped).
#
# Usage: bash runner/bench/profile.sh   (BENCH_EVENTS etc. as run.sh; BENCH_PROFILE_EVENT=cpu|itimer, BENCH_PROFILE_INTERVAL=10ms)
#        bash runner/bench/profile.sh --agent   prints the path of the native agent (unpacking it first)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR="runner/target/bench-tools/async-profiler.jar"
AGENT="runner/target/bench-tools/linux-x64/libasyncProfiler.so"
if [ ! -f "$JAR" ]; then mvn -q -B -f runner/pom.xml -DskipTests package; fi
if [ ! -f "$AGENT" ]; then (cd runner/target/bench-tools && unzip -q -o async-profiler.jar 'linux-x64/*'); fi
if [ "${1:-}" = "--agent" ]; then echo "$(pwd)/$AGENT"; exit 0; fi
BENCH_PROFILE=1 BENCH_BACKENDS="${BENCH_BACKENDS:-rocksdb}" bash runner/bench/run.sh
for b in ${BENCH_BACKENDS:-rocksdb}; do
  echo "== profile ($b): runner/target/bench/$b/profile.collapsed"
  npx ts-node --transpile-only tools/profile-summary.ts "runner/target/bench/$b/profile.collapsed"
done
