// Writes a campaign's summary as TAP comments: the seed that replays it, statuses, valid counts, poisons, rows, violations.
import { IN_FLIGHT, REQUESTS, SEED } from './campaign-settings.ts';
import type { Counts } from './database-checks.ts';
import type { Tally, Violation } from './tally.ts';

export function writeCampaignStart(): void {
  process.stdout.write(`# fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${REQUESTS} requests, ${IN_FLIGHT} in flight\n`);
}

export function writeCampaignSummary(tally: Tally, rowsBefore: Counts, rowsAfter: Counts, started: number): void {
  const statuses = [...tally.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}:${n}`).join(' ');
  process.stdout.write(`# fuzz: ${tally.generated} generated, ${tally.sent} sent (${tally.http} http, ${tally.raw} raw) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`# fuzz statuses: ${statuses}\n`);
  process.stdout.write(`# fuzz valid: ${tally.signups} sign-ups, ${tally.logins} logins, ${tally.logouts} logouts, ${tally.articles.length} articles; dropped without answer: ${tally.drops} incomplete raw, ${tally.oversizeDrops} over the limit; keep-alive retries: ${tally.keepAliveRetries}\n`);
  const poisons = [...tally.poisons].sort(([a], [b]) => a.localeCompare(b)).map(([name, { sent, refusedByHandler }]) => `${name} ${refusedByHandler}/${sent}`).join(', ');
  process.stdout.write(`# fuzz field poisons (refused by the handler / sent): ${poisons}\n`);
  process.stdout.write(`# fuzz rows before ${JSON.stringify(rowsBefore)} after ${JSON.stringify(rowsAfter)}\n`);
  const rules = new Map<string, Violation[]>();
  for (const violation of tally.violations) rules.set(violation.rule, [...(rules.get(violation.rule) ?? []), violation]);
  for (const [rule, found] of rules) {
    process.stdout.write(`# VIOLATION x${found.length} ${rule}, e.g.:\n`);
    for (const violation of found.slice(0, Number(process.env.FUZZ_SHOW ?? 3))) process.stdout.write(`#   ${violation.what.slice(0, 240)} -> ${violation.detail.slice(0, 240)}\n`);
  }
}
