/**
 * The runner jar that every Managed Flink application of a region executes.
 *
 * The jar is built by `npm run build:runner` (Maven, `runner/`). The region stack checks for it before it
 * creates any resource, and names the uploaded S3 object after the jar's content hash: a rebuilt jar is a
 * new object (and a new code location for Managed Flink), an unchanged jar is no change at all.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, NAMESPACE } from "./config";

/**
 * The runner jar is missing or unreadable. It extends ConfigError (the jar's path is the config value
 * `clickstream:runnerJar`), so `index.ts` reports it as one line through `pulumi.RunError`.
 */
export class RunnerArtifactError extends ConfigError {
    constructor(message: string) {
        super(message);
        this.name = "RunnerArtifactError";
    }
}

export interface RunnerArtifact {
    /** Absolute path of the jar on this machine. */
    path: string;
    /** Hex SHA-256 of the jar's bytes. */
    sha256: string;
    /** S3 object key, unique per content: `runner/clickstream-runner-<first 16 hex of sha256>.jar`. */
    objectKey: string;
    sizeBytes: number;
}

/** The S3 key of a jar with the given content hash. */
export function runnerObjectKey(sha256: string): string {
    return `runner/clickstream-runner-${sha256.slice(0, 16)}.jar`;
}

/**
 * Resolves `runnerJar` (relative to `projectRoot`, or absolute) and hashes it.
 * Throws RunnerArtifactError with one line naming the path and `npm run build:runner` when it is missing.
 */
export function resolveRunnerArtifact(projectRoot: string, runnerJar: string): RunnerArtifact {
    const jarPath = path.resolve(projectRoot, runnerJar);
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(jarPath);
    } catch {
        stat = undefined;
    }
    if (!stat || !stat.isFile() || stat.size === 0) {
        throw new RunnerArtifactError(
            `${NAMESPACE}:runnerJar: runner jar '${runnerJar}' not found at ${jarPath}; build it with \`npm run build:runner\` (Maven) and run again`,
        );
    }
    const sha256 = crypto.createHash("sha256").update(fs.readFileSync(jarPath)).digest("hex");
    return { path: jarPath, sha256, objectKey: runnerObjectKey(sha256), sizeBytes: stat.size };
}
