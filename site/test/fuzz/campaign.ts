// Runs the stream: one seeded sequence of generated requests, pulled in order by a fixed number of workers.
import { CAMPAIGN_DEADLINE_MS, IN_FLIGHT, REQUESTS, SEED } from './campaign-settings.ts';
import { judge } from './expectations.ts';
import type { Fixture } from './fixture.ts';
import type { Generated } from './generated-request.ts';
import { sendHttp } from './http-client.ts';
import { sendRaw } from './raw-socket-client.ts';
import { generate } from './request-mix.ts';
import { Random } from './seeded-random.ts';
import type { Tally } from './tally.ts';
import { runValid } from './valid-flows.ts';

async function runOne(fx: Fixture, generated: Generated, tally: Tally): Promise<void> {
  if (generated.valid !== null) return runValid(fx, generated, generated.valid, tally);
  const spec = generated.request!;
  tally.sent += 1;
  if (spec.kind === 'http') tally.http += 1;
  else tally.raw += 1;
  let outcome = spec.kind === 'http' ? await sendHttp(fx.port, spec, false, generated.what) : await sendRaw(fx.port, spec);
  if (spec.kind === 'http' && outcome.reusedSocket === true && /socket hang up|ECONNRESET|EPIPE/.test(outcome.error ?? '')) {
    // The server closed a kept-alive connection that its last answer left open (no
    // Connection: close), just as this request went out on it. A browser sends the request
    // again on a new connection, and so does this client (once); the unannounced close is
    // reported on its own.
    tally.keepAliveRetries += 1;
    tally.violations.push({ rule: 'closed a kept-alive connection without Connection: close', what: outcome.previousOnSocket ?? '(unknown request)', detail: `the next request on it, ${generated.what.slice(0, 80)}, met ${outcome.error}` });
    const retried = await sendHttp(fx.port, { ...spec, fresh: true }, false, generated.what);
    outcome = retried.error === null ? retried : { ...retried, error: `${outcome.error}, then again on a new connection: ${retried.error}` };
  }
  judge(tally, generated, spec, outcome);
}

export async function runCampaign(fx: Fixture): Promise<Tally> {
  const r = new Random(SEED);
  const tally: Tally = { sent: 0, http: 0, raw: 0, statuses: new Map(), signups: 0, logins: 0, logouts: 0, articles: [], violations: [], generated: 0, keepAliveRetries: 0, poisons: new Map(), drops: 0, oversizeDrops: 0 };
  let nextIndex = 0;
  let serial = 0;
  const deadline = Date.now() + CAMPAIGN_DEADLINE_MS;
  // One stream, pulled in order by every worker: the same seed makes the same requests.
  const pull = (): Generated | null => {
    if (nextIndex >= REQUESTS || Date.now() > deadline) return null;
    serial += 1;
    return generate(r, fx, nextIndex++, serial);
  };
  const worker = async () => {
    for (let generated = pull(); generated !== null; generated = pull()) await runOne(fx, generated, tally);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  tally.generated = nextIndex;
  return tally;
}
