/**
 * `ts-node tools/profile-summary.ts <profile.collapsed> [--top N]` (runner/bench/profile.sh runs it)
 *
 * Prints the top frames of an async-profiler collapsed-stack file (one stack per line: frames from the
 * thread's root to the leaf separated by ';', then a space and the sample count) by share of all samples:
 * - by group: "self" attributes each sample to the innermost frame of its stack that belongs to a group
 *   (so a Jackson frame called by JSON_FIELDS counts as JSON parsing, a JNI frame under a RocksDB state
 *   access as RocksDB), "total" counts every sample with any frame of the group on its stack;
 * - the frames with the most self samples (leaf), and the most total samples (anywhere on the stack).
 */
import * as fs from "fs";

/** Groups in order of precedence for a frame that matches several. */
export const GROUPS: { name: string; pattern: RegExp }[] = [
    { name: "JSON parsing (JSON_FIELDS, JSON_VALUE: Jackson, Jayway)", pattern: /jackson|jayway|JsonFieldsFunction|SqlJsonUtils|JsonFunctions|JsonValue/i },
    { name: "event-time parsing (PARSE_EVENT_TIME, java.time)", pattern: /ParseEventTimeFunction|java\/time\/|java\.time\./ },
    { name: "Kryo", pattern: /kryo/i },
    { name: "RocksDB native (JNI, rocksdb::)", pattern: /org\/rocksdb\/|org\.rocksdb\.|rocksdb::|librocksdbjni|Java_org_rocksdb/ },
    {
        name: "state access (Flink's RocksDB/heap state, key and value (de)serialisation)",
        pattern:
            /contrib\/streaming\/state|state\/rocksdb|runtime\/state\/heap|RocksDB[A-Za-z]*State|SerializedCompositeKeyBuilder|TtlValue|ttl\/|AbstractRocksDBState/,
    },
    { name: "checkpointing (snapshots, uploads)", pattern: /checkpoint|Snapshot|AsyncCheckpointRunnable|RocksIncrementalSnapshot|FsCheckpointStreamFactory/i },
    { name: "de-duplication (keep first row)", pattern: /Deduplicate/ },
    {
        name: "window aggregation (TUMBLE/HOP, COUNT DISTINCT, COUNT_DISTINCT)",
        pattern:
            /window\/|Window[A-Za-z]*Operator|SlicingWindow|MapView|DistinctView|AggsHandle|GroupAggFunction|WindowBuffer|RecordsWindowBuffer|CountDistinctFunction/,
    },
    {
        name: "startup and planning (SqlRunner.main: Calcite, code generation, Janino)",
        pattern: /SqlRunner\.(main|start|prepare)|SqlRunner\$Prepared|org\/apache\/calcite|codehaus\/janino|codehaus\/commons/,
    },
    { name: "runner operators (event time, lateness, accounting)", pattern: /com\/clickstream|com\.clickstream/ },
    {
        name: "records between tasks (serialisation, network)",
        pattern:
            /RecordWriter|RecordSerializer|StreamElementSerializer|RecordDeserializer|io\/network|SpillingAdaptiveSpanningRecordDeserializer|BinaryRowDataSerializer/,
    },
    { name: "file source (reading lines)", pattern: /connector\/file|connector\.file|StreamFormat|TextLineInputFormat|FileSource|BufferedReader/ },
    { name: "generated SQL code (Calc, projections)", pattern: /StreamExecCalc\$|GeneratedClass|Projection\$|Calc\$|BinaryStringData|StringData/ },
    { name: "GC", pattern: /\bG1|GCTaskThread|ParallelGC|ConcurrentGC|GangWorker|WorkerThread::run|_gc|\[gc/i },
    { name: "JIT compiler", pattern: /CompileBroker|C2Compiler|C1Compiler|Compile::|ciEnv/ },
];

export interface Summary {
    samples: number;
    groups: { name: string; self: number; total: number }[];
    selfFrames: [string, number][];
    totalFrames: [string, number][];
}

/** Summarises collapsed stacks. Pure. */
export function summarise(collapsed: string, top = 20): Summary {
    const self = new Map<string, number>();
    const total = new Map<string, number>();
    const groupSelf = new Array<number>(GROUPS.length + 1).fill(0);
    const groupTotal = new Array<number>(GROUPS.length).fill(0);
    let samples = 0;
    for (const line of collapsed.split("\n")) {
        const m = /^(.*) (\d+)$/.exec(line.trim());
        if (!m) continue;
        const n = Number(m[2]);
        const frames = m[1].split(";");
        samples += n;
        const leaf = frames[frames.length - 1];
        self.set(leaf, (self.get(leaf) ?? 0) + n);
        for (const f of new Set(frames)) total.set(f, (total.get(f) ?? 0) + n);
        const groupOf = (f: string) => GROUPS.findIndex((g) => g.pattern.test(f));
        let inner = -1;
        for (let i = frames.length - 1; i >= 0 && inner < 0; i--) inner = groupOf(frames[i]);
        groupSelf[inner < 0 ? GROUPS.length : inner] += n;
        const seen = new Set(frames.map(groupOf).filter((g) => g >= 0));
        for (const g of seen) groupTotal[g] += n;
    }
    const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    return {
        samples,
        groups: [
            ...GROUPS.map((g, i) => ({ name: g.name, self: groupSelf[i], total: groupTotal[i] })),
            { name: "other (no group)", self: groupSelf[GROUPS.length], total: groupSelf[GROUPS.length] },
        ].sort((a, b) => b.self - a.self),
        selfFrames: sorted(self),
        totalFrames: sorted(total),
    };
}

export function format(s: Summary): string {
    const pct = (n: number) => `${((100 * n) / Math.max(1, s.samples)).toFixed(1).padStart(5)} %`;
    const out = [`samples: ${s.samples}`, "", "| group | self | total |", "|---|---|---|"];
    for (const g of s.groups) out.push(`| ${g.name} | ${pct(g.self)} | ${pct(g.total)} |`);
    out.push("", "top frames by self samples:");
    for (const [f, n] of s.selfFrames) out.push(`  ${pct(n)}  ${f}`);
    out.push("", "top frames by total samples:");
    for (const [f, n] of s.totalFrames) out.push(`  ${pct(n)}  ${f}`);
    return out.join("\n");
}

if (require.main === module) {
    const file = process.argv[2];
    const topArg = process.argv.indexOf("--top");
    if (!file || !fs.existsSync(file)) {
        console.error(`usage: profile-summary.ts <profile.collapsed> [--top N]: '${file}' does not exist`);
        process.exit(1);
    }
    console.log(format(summarise(fs.readFileSync(file, "utf8"), topArg > 0 ? Number(process.argv[topArg + 1]) : 20)));
}
