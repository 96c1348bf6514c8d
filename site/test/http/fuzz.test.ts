// Fuzzes the running site with seeded hostile requests: never a 5xx, the process stays up, and the
// database changes only through the requests the generator built to be valid.
//
// The generator is one seeded stream (FUZZ_SEED replays it; FUZZ_REQUESTS raises the count;
// FUZZ_SHOW sets how many examples of each violation the output lists). Every
// request that could reach a route that adds or removes users, sessions or articles carries a
// "poison" the contract says must refuse it: a missing, foreign or forged CSRF token, a cross-site
// Origin, or a field that fails validation (never repeated, so that no rule on repeated fields can
// make it valid). Only the known valid subset (sign-ups, logins, logouts and article writes built
// from real tokens) may change the counts, and each of those is counted when answered 303.
//
// The generator, the two clients and the rules each answer is held to live in ../fuzz/, one concept a file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { runCampaign } from '../fuzz/campaign.ts';
import { REQUESTS, SEED } from '../fuzz/campaign-settings.ts';
import { writeCampaignStart, writeCampaignSummary } from '../fuzz/campaign-summary.ts';
import { counts, leftoverRows, storedArticles, type Counts } from '../fuzz/database-checks.ts';
import { setUpFixture, type Fixture } from '../fuzz/fixture.ts';
import { agent } from '../fuzz/http-client.ts';
import type { Tally } from '../fuzz/tally.ts';

let site: RunningSite;
let fixture: Fixture;
let tally: Tally;
let before_: Counts;
let after_: Counts;

before(async () => {
  writeCampaignStart();
  site = await startSite({
    // Failed logins from 127.0.0.1 must not lock the valid logins out; each account keeps its own limit.
    env: { LOGIN_FAILURES_PER_ADDRESS: '1000000', SIGNUPS_PER_ADDRESS: '1000000' },
  });
  const tag = SEED.toString(36);
  fixture = await setUpFixture(site, tag);
  before_ = counts(site.dataDir);
  const started = Date.now();
  tally = await runCampaign(fixture);
  after_ = counts(site.dataDir);
  writeCampaignSummary(tally, before_, after_, started);
});

after(async () => {
  agent.destroy();
  await site?.stop();
});

function violationsOf(rule: string): string[] {
  return tally.violations.filter((violation) => violation.rule === rule).map((violation) => `${violation.what} -> ${violation.detail}`);
}

function report(lines: string[]): string {
  return `${lines.length} found (replay: FUZZ_SEED=${SEED}):\n${lines.slice(0, 25).join('\n')}`;
}

test(`sends at least ${REQUESTS} generated requests`, async () => {
  assert.ok(tally.generated >= REQUESTS, `only ${tally.generated} of ${REQUESTS} were generated before the safety deadline: the server stopped answering`);
  assert.ok(tally.sent >= REQUESTS);
});

test('answers no generated request with a 5xx', async () => {
  assert.deepEqual(violationsOf('answered 5xx'), [], report(violationsOf('answered 5xx')));
});

test('answers every complete request (only an incomplete or oversized one may be dropped)', async () => {
  assert.deepEqual(violationsOf('no answer'), [], report(violationsOf('no answer')));
});

test('answers in well-formed HTTP/1.1, with no content in an answer to HEAD', async () => {
  const found = [...violationsOf('answered a HEAD request with content'), ...violationsOf('answered in bytes that are not HTTP/1.1')];
  assert.deepEqual(found, [], report(found));
});

test('closes a kept-alive connection only after an answer that says Connection: close, but for a rare race', async () => {
  // HTTP lets a server close a connection at any moment (RFC 9112, 9.3), and clients send again
  // on a new one, as this one does: about one run in ten meets a single such close (seen after
  // a 404, unexplained). A systematic one (an answer that always leaves a dead connection) shows
  // as many, and a retry that fails is judged like any other answer.
  const found = violationsOf('closed a kept-alive connection without Connection: close');
  assert.ok(found.length <= 2, report(found));
});

test('answers with headers under 16 KiB, which clients and proxies accept', async () => {
  const found = violationsOf('answered with headers over 16 KiB');
  assert.deepEqual(found, [], report(found));
});

test('carries out no state-changing request without a valid CSRF token', async () => {
  const found = violationsOf('a state-changing request without a valid CSRF token was carried out');
  assert.deepEqual(found, [], report(found));
});

test('carries out no request the contract refuses (bad fields, foreign ids, cut-off bodies)', async () => {
  const found = violationsOf('a request the contract refuses succeeded');
  assert.deepEqual(found, [], report(found));
});

test('refuses every body over the 1 MiB limit', async () => {
  const found = violationsOf('a body over the 1 MiB limit was not refused');
  assert.deepEqual(found, [], report(found));
});

test('never redirects to another site', async () => {
  assert.deepEqual(violationsOf('redirected off the site'), [], report(violationsOf('redirected off the site')));
});

test('carries out every valid request of the stream (303)', async () => {
  const found = violationsOf('a valid request was not carried out');
  assert.deepEqual(found, [], report(found));
});

test('keeps running: its pid is alive and /healthz answers 200', async () => {
  assert.equal(site.process.exitCode, null, 'the server exited');
  assert.equal(site.process.signalCode, null, 'the server was killed');
  assert.doesNotThrow(() => process.kill(site.process.pid!, 0), 'the server pid is gone');
  const health = await fetch(`${site.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
});

test('logs no failed request, no database outage and no unhandled rejection', async () => {
  const lines = site.output().split('\n').filter((line) => /request failed|database unavailable|unhandled rejection|"level":(50|60)/.test(line));
  assert.deepEqual(lines.map((line) => line.slice(0, 400)), [], `${lines.length} log lines report a failure while the database was up`);
});

test('changes users, sessions and articles only through the valid requests it answered 303', async () => {
  const expected: Counts = {
    users: before_.users + tally.signups,
    sessions: before_.sessions + tally.signups + tally.logins - tally.logouts,
    articles: before_.articles + tally.articles.length,
  };
  assert.deepEqual(after_, expected, `rows before ${JSON.stringify(before_)}; valid requests answered 303: ${tally.signups} sign-ups, ${tally.logins} logins, ${tally.logouts} logouts, ${tally.articles.length} articles`);
  const stored = storedArticles(site.dataDir, tally.articles);
  for (const { expected: article, row } of stored) {
    assert.ok(row, `article ${article.id} was acknowledged but is not stored`);
    assert.deepEqual({ title: row.title, content: row.content, author: Number(row.author_id) }, { title: article.title, content: article.content, author: article.authorId }, `article ${article.id} is stored differently from what was sent`);
  }
});

test('leaves no half-written or refused row behind', async () => {
  const problems = leftoverRows(site.dataDir);
  assert.deepEqual(problems, { usersWithEmptyFields: [], articlesWithoutTitle: [], orphanArticles: [], orphanSessions: [], foreignKeys: [], integrity: [] });
});

test('logs out nobody who did not ask: every fuzzing account is still logged in', async () => {
  for (const actor of fixture.actors) {
    const client = new Client(site.url);
    client.jar.set('sessionid', actor.session);
    const page = await client.get('/accounts/update');
    assert.equal(page.status, 200, `${actor.username} is no longer logged in (${page.status} ${page.location ?? ''})`);
    assert.ok(page.body.includes(actor.username));
  }
});
