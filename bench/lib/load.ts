// One bounded autocannon run: a warm-up, then the measured part, with the server's peak memory.
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  peakRssMiB: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
  /** sampled every 250 ms during the measured part */
  rss?: () => number;
  /** status codes that count as success (default 2xx) */
  expect?: (status: number) => boolean;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const base = {
    url: options.url,
    connections: options.connections,
    headers: options.headers ?? {},
    method: options.method ?? 'GET',
    ...(options.body !== undefined && { body: options.body }),
  };
  if ((options.warmupSeconds ?? 2) > 0) await autocannon({ ...base, duration: options.warmupSeconds ?? 2 });
  let peak = 0;
  const sampler = options.rss ? setInterval(() => (peak = Math.max(peak, options.rss!())), 250) : undefined;
  let unexpected = 0;
  // Without a callback autocannon returns its instance, an emitter that is also a promise.
  const instance = autocannon({ ...base, duration: options.seconds }) as unknown as Promise<autocannon.Result> & EventEmitter;
  if (options.expect) {
    instance.on('response', (_client: unknown, status: number) => {
      if (!options.expect!(status)) unexpected += 1;
    });
  }
  const result = await instance;
  if (sampler) clearInterval(sampler);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + (options.expect ? unexpected : result.non2xx),
    peakRssMiB: peak,
  };
}
