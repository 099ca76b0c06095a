/**
 * The tools `npm start` and `npm test` need beyond Node.js, checked up front (`npm run prerequisites`, the
 * first step of `npm test`): each missing one is one line naming it and the command that installs it on
 * this project's machines (Debian), instead of a stack trace minutes into the run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ensureTrino, javaMajor, TRINO_INSTALL_COMMAND, TRINO_MIN_JAVA, TRINO_VERSION, trinoHome, trinoInstalled, trinoJavaHome } from "../trino";

export interface Prerequisite {
    name: string;
    /** Why the project needs it. */
    for: string;
    /** The problem, or undefined when it is there. */
    problem(): string | undefined;
    install: string;
}

/** Debian's Chromium, which playwright-core drives (it never downloads a browser). `CHROMIUM_PATH` overrides. */
export function chromiumPath(): string {
    return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

const version = (command: string, args: string[]): string | undefined => {
    const r = spawnSync(command, args, { encoding: "utf8" });
    return r.error || r.status !== 0 ? undefined : `${r.stdout}${r.stderr}`;
};

/** What the Trino test (local/test/trino.test.ts) needs: a JDK for Trino and the extracted server. */
export const TRINO_PREREQUISITES: Prerequisite[] = [
    {
        name: `JDK ${TRINO_MIN_JAVA} or newer for Trino ${TRINO_VERSION}`,
        for: "running sql/athena on Trino (TRINO_JAVA_HOME)",
        problem() {
            const major = javaMajor(trinoJavaHome());
            return major === undefined
                ? `${trinoJavaHome()}/bin/java does not run (set TRINO_JAVA_HOME to use another JDK)`
                : major >= TRINO_MIN_JAVA
                  ? undefined
                  : `${trinoJavaHome()}/bin/java is version ${major}`;
        },
        install: "apt-get install -y temurin-25-jdk",
    },
    {
        name: `Trino ${TRINO_VERSION}`,
        for: "running sql/athena on Trino (TRINO_HOME)",
        problem: () => (trinoInstalled() ? undefined : `${trinoHome()} holds no Trino ${TRINO_VERSION}`),
        install: TRINO_INSTALL_COMMAND,
    },
];

export const PREREQUISITES: Prerequisite[] = [
    {
        name: "JDK 17 or newer (java)",
        for: "the Flink runner",
        problem() {
            const out = version("java", ["-version"]);
            const major = out ? Number(/version "(\d+)/.exec(out)?.[1]) : NaN;
            return !out ? "java is not on PATH" : major >= 17 ? undefined : `java is version ${major}`;
        },
        install: "apt-get install -y openjdk-17-jdk-headless",
    },
    {
        name: "Maven (mvn)",
        for: "building and testing the runner jar",
        problem: () => (version("mvn", ["-v"]) ? undefined : "mvn is not on PATH"),
        install: "apt-get install -y maven",
    },
    {
        name: "Chromium",
        for: "the dashboard tests in headless Chromium",
        problem: () => (fs.existsSync(chromiumPath()) ? undefined : `${chromiumPath()} does not exist (set CHROMIUM_PATH to use another)`),
        install: "apt-get update && apt-get install -y chromium",
    },
    ...TRINO_PREREQUISITES,
];

/** One line per missing prerequisite. Pure over the given list. */
export function missingPrerequisites(list: Prerequisite[] = PREREQUISITES): string[] {
    return list.flatMap((p) => {
        const problem = p.problem();
        return problem ? [`missing: ${p.name}, for ${p.for}: ${problem}; install it with \`${p.install}\``] : [];
    });
}

if (require.main === module) {
    // What npm test can install itself, it installs: the Trino server, from Maven Central, once.
    if (!trinoInstalled() && spawnSync("mvn", ["-v"]).status === 0) {
        process.stdout.write(`prerequisites: installing Trino ${TRINO_VERSION} into ${trinoHome()} (once; Maven Central, about 800 MB)\n`);
        try {
            ensureTrino(trinoHome(), (line) => process.stdout.write(`prerequisites: ${line}\n`));
        } catch (e) {
            process.stderr.write(`prerequisites: installing Trino failed: ${(e as Error).message.split("\n")[0]}\n`);
        }
    }
    const missing = missingPrerequisites();
    for (const line of missing) process.stderr.write(line + "\n");
    process.exitCode = missing.length > 0 ? 1 : 0;
}
