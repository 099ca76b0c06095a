/**
 * The command lines of the local tools (`npm start`, `npm run drill`, `npm run bench:local`): flag
 * validation with one clear line per bad value (exit 2), and commander's parsing without its own output.
 */
import { Command, InvalidArgumentError, OptionValues } from "commander";

export class ArgError extends Error {}

/** A commander argument parser from a validator that throws ArgError (or any Error) with the message to print. */
export function validated<T>(validate: (value: string) => T): (value: string) => T {
    return (value) => {
        try {
            return validate(value);
        } catch (e) {
            throw new InvalidArgumentError((e as Error).message);
        }
    };
}

/**
 * Parses `argv` with `program` (built with exitOverride()). Returns its options, or the exit code after
 * printing one line: 0 for --help, 2 for a bad flag (`--rate: 'abc' is not valid; ...`).
 */
export function parseArgs(program: Command, argv: string[]): OptionValues | number {
    program.exitOverride().configureOutput({ writeErr: () => undefined });
    try {
        program.parse(argv, { from: "user" });
    } catch (e) {
        const err = e as { code?: string; message: string };
        if (err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version") return 0;
        process.stderr.write(err.message.replace(/^error: /, "").replace(/^option '[^']+' argument '[^']*' is invalid\. /, "") + "\n");
        return 2;
    }
    return program.opts();
}

/** A flag's whole number in [min, max], or ArgError: `--days: '1.5' is not valid; expected a whole number from 1 to 366`. */
export function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number {
    const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new ArgError(`${flag}: ${value === undefined ? "missing" : `'${value}'`} is not valid; expected a whole number from ${min} to ${max}`);
    }
    return n;
}

/** A commander argument parser for a whole number in [min, max], whose one-line error names `flag`. */
export function wholeNumberArg(flag: string, min: number, max: number): (value: string) => number {
    return validated((v) => wholeNumber(flag, v, min, max));
}

export function stackName(value: string, available: string[]): string {
    if (!available.includes(value)) {
        throw new ArgError(`--stack: '${value}' is not valid; expected a region stack: ${available.join(", ") || "(none found)"}`);
    }
    return value;
}
