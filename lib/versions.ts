/**
 * The Managed Service for Apache Flink runtime this program deploys. It must match the Flink version
 * the runner is built against (`runner/pom.xml`, property `flink.version`); `tests/versions.test.ts`
 * fails when they drift apart.
 */
export const FLINK_RUNTIME = "FLINK-1_20";

/** `FLINK-1_20` -> `1.20`: the Flink minor version that a runtime name stands for. */
export function flinkMinorVersion(runtime: string): string {
    const m = /^FLINK-(\d+)_(\d+)$/.exec(runtime);
    if (!m) throw new Error(`'${runtime}' is not a Managed Flink runtime; expected FLINK-<major>_<minor>`);
    return `${m[1]}.${m[2]}`;
}
