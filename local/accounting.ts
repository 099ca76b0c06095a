/**
 * The runner's own accounting (docs/SQL.md, "Accounting"): its checkpointed counters, logged at every
 * completed checkpoint or savepoint as
 * `accounting checkpoint=<id> stage=<source|lateness> subtask=<i>/<n> <name>=<value> ...`.
 * The values of the newest checkpoint that every subtask of a stage reported are the app's totals:
 * after a restore the counters continue from the snapshot, so records replayed are counted once.
 */

export interface RunnerCounts {
    /** Checkpoint or savepoint the totals come from. */
    checkpoint: number;
    /** Records read from the source. */
    read: number;
    /** Valid unique events passed on to the windows. */
    onTime: number;
    /** Valid unique events that were late (in late_events). */
    late: number;
}

const LINE = /accounting checkpoint=(\d+) stage=(\w+) subtask=(\d+)\/(\d+)((?: \w+=\d+)+)/;

/** The newest complete totals per stage in a runner log; undefined when a stage never reported. Pure. */
export function runnerAccounting(log: string): RunnerCounts | undefined {
    // stage -> checkpoint -> subtask -> values
    const seen = new Map<string, Map<number, { of: number; values: Map<number, Record<string, number>> }>>();
    for (const line of log.split("\n")) {
        const m = LINE.exec(line);
        if (!m) continue;
        const [, id, stage, subtask, of, rest] = m;
        const byCheckpoint = seen.get(stage) ?? new Map();
        seen.set(stage, byCheckpoint);
        const entry = byCheckpoint.get(Number(id)) ?? { of: Number(of), values: new Map() };
        byCheckpoint.set(Number(id), entry);
        entry.values.set(
            Number(subtask),
            Object.fromEntries(
                rest
                    .trim()
                    .split(" ")
                    .map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]),
            ),
        );
    }
    const newest = (stage: string): { checkpoint: number; totals: Record<string, number> } | undefined => {
        const byCheckpoint = seen.get(stage);
        if (!byCheckpoint) return undefined;
        const complete = [...byCheckpoint.entries()].filter(([, e]) => e.values.size === e.of).sort((a, b) => b[0] - a[0])[0];
        if (!complete) return undefined;
        const totals: Record<string, number> = {};
        for (const v of complete[1].values.values()) for (const [k, n] of Object.entries(v)) totals[k] = (totals[k] ?? 0) + n;
        return { checkpoint: complete[0], totals };
    };
    const source = newest("source");
    const lateness = newest("lateness");
    if (!source || !lateness) return undefined;
    return {
        checkpoint: Math.min(source.checkpoint, lateness.checkpoint),
        read: source.totals.read,
        onTime: lateness.totals.on_time,
        late: lateness.totals.late,
    };
}
