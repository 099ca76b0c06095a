/** Validation of `npm start` flags: one clear line per bad value (exit 2). Pure. */

export class ArgError extends Error {}

export function wholeNumber(flag: string, value: string, min: number, max: number): number {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
        throw new ArgError(`${flag}: '${value}' is not valid; expected a whole number from ${min} to ${max}`);
    }
    return Number(value);
}

export function stackName(value: string, available: string[]): string {
    if (!available.includes(value)) {
        throw new ArgError(`--stack: '${value}' is not valid; expected a region stack: ${available.join(", ") || "(none found)"}`);
    }
    return value;
}
