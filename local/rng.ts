/**
 * Deterministic randomness for the local generator: a seeded PRNG and a Zipf sampler.
 * Same seed, same sequence, on every machine (no Math.random anywhere in local/).
 */

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export class Rng {
    private state: number;

    constructor(seed: number) {
        // Mix the seed so that nearby seeds give unrelated sequences.
        this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
    }

    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Integer in [0, n). */
    int(n: number): number {
        return Math.floor(this.next() * n);
    }

    chance(p: number): boolean {
        return this.next() < p;
    }

    pick<T>(items: readonly T[]): T {
        return items[this.int(items.length)];
    }

    /** Picks by weight; `weights` need not sum to 1. */
    weighted<T>(items: readonly T[], weights: readonly number[]): T {
        const total = weights.reduce((a, b) => a + b, 0);
        let x = this.next() * total;
        for (let i = 0; i < items.length; i++) {
            x -= weights[i];
            if (x < 0) return items[i];
        }
        return items[items.length - 1];
    }

    /** 32 hex characters, formatted like a UUID (version 4 layout), from this generator. */
    uuid(): string {
        let hex = "";
        for (let i = 0; i < 4; i++) hex += (Math.floor(this.next() * 2 ** 32) >>> 0).toString(16).padStart(8, "0");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    }
}

/** Samples ranks 1..n with P(k) proportional to 1/k^s (Zipf's law), by binary search over the CDF. */
export class Zipf {
    private readonly cdf: Float64Array;

    constructor(
        readonly n: number,
        readonly s: number,
    ) {
        if (!Number.isInteger(n) || n < 1) throw new Error(`Zipf: n must be a positive integer, got ${n}`);
        this.cdf = new Float64Array(n);
        let sum = 0;
        for (let k = 1; k <= n; k++) {
            sum += 1 / Math.pow(k, s);
            this.cdf[k - 1] = sum;
        }
        for (let k = 0; k < n; k++) this.cdf[k] /= sum;
    }

    /** Probability of rank k (1-based). */
    probability(k: number): number {
        return this.cdf[k - 1] - (k > 1 ? this.cdf[k - 2] : 0);
    }

    /** A rank in 1..n. */
    sample(rng: Rng): number {
        const x = rng.next();
        let lo = 0;
        let hi = this.n - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.cdf[mid] > x) hi = mid;
            else lo = mid + 1;
        }
        return lo + 1;
    }
}
