// How many requests a campaign sends, how many at once, how long it waits, and the seed that replays it.

export const REQUESTS = Math.max(10_000, Number(process.env.FUZZ_REQUESTS ?? 0) || 0);
// A fixed seed, so every run of `npm test` sends the same stream (a failure replays as it is);
// FUZZ_SEED=random explores a new one, FUZZ_SEED=N replays a printed one.
const givenSeed = process.env.FUZZ_SEED ?? '';
export const SEED = givenSeed === 'random' ? (Date.now() ^ (process.pid << 16)) >>> 0 : givenSeed !== '' ? Number(givenSeed) >>> 0 : 20261129;
export const IN_FLIGHT = 8;
export const REQUEST_TIMEOUT_MS = 20_000;
/** A safety stop for a server that hangs, far beyond a normal run (~15 s on 2 cores); never a speed test. */
export const CAMPAIGN_DEADLINE_MS = 5 * 60_000;
