// The rules every answer is held to: each answer is counted in the tally, and each rule it breaks recorded as a violation.
import type { Generated, HttpSpec, RawSpec } from './generated-request.ts';
import type { Outcome } from './outcome.ts';
import { SAFE_METHODS, type CountingKind } from './routes.ts';
import { MAX_HEADER_BYTES } from './site-limits.ts';
import type { Tally } from './tally.ts';

/** What a poisoned request to a counting route must never do: the answer that means it worked. */
function succeeded(kind: CountingKind, outcome: Outcome): boolean {
  if (outcome.status !== 303) return false;
  const location = outcome.location ?? '';
  switch (kind) {
    case 'signup':
    case 'login':
      return outcome.setsSession;
    case 'logout':
      return true;
    case 'password':
      return location.startsWith('/accounts/update');
    case 'delete-account':
      return location === '/';
    case 'revoke':
      return location === '/' || location.startsWith('/accounts/sessions');
    case 'article-create':
      return /^\/articles\/[0-9]+$/.test(location);
    case 'article-delete':
      return location.startsWith('/articles') && !/^\/articles\/[0-9]+/.test(location);
  }
}

/** Counts an answer's status, and holds it to the rules every answer keeps, valid request or hostile. */
export function record(tally: Tally, generated: Generated, outcome: Outcome): void {
  const key = outcome.status === null ? 'none' : String(outcome.status);
  tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
  for (const status of outcome.statuses) {
    if (status >= 500) tally.violations.push({ rule: 'answered 5xx', what: generated.what, detail: `status ${status}` });
  }
  const location = outcome.location;
  // CONTRACT: never a redirect to another site, whatever the input.
  if (location !== null && outcome.status !== null && outcome.status >= 300 && outcome.status < 400 && !/^\/(?![/\\])/.test(location)) {
    tally.violations.push({ rule: 'redirected off the site', what: generated.what, detail: `${outcome.status} Location: ${location}` });
  }
}

/** Records the answer to a hostile request, and every rule it breaks. */
export function judge(tally: Tally, generated: Generated, spec: HttpSpec | RawSpec, outcome: Outcome): void {
  record(tally, generated, outcome);
  if (outcome.headerBytes !== undefined && outcome.headerBytes > MAX_HEADER_BYTES) {
    tally.violations.push({ rule: 'answered with headers over 16 KiB', what: generated.what, detail: `${outcome.status}, ${outcome.headerBytes} bytes of headers, Location ${outcome.location?.length ?? 0} characters` });
  }
  if (generated.poison !== undefined) {
    const entry = tally.poisons.get(generated.poison) ?? { sent: 0, refusedByHandler: 0 };
    entry.sent += 1;
    if (outcome.status === 422 || outcome.status === 429 || (outcome.status === 404 && /revoke|delete/.test(generated.poison))) entry.refusedByHandler += 1;
    tally.poisons.set(generated.poison, entry);
  }
  if (outcome.error?.includes('Parse Error')) {
    const rule = spec.kind === 'http' && spec.method === 'HEAD' ? 'answered a HEAD request with content' : 'answered in bytes that are not HTTP/1.1';
    tally.violations.push({ rule, what: generated.what, detail: outcome.error });
    return;
  }
  if (outcome.status === null) {
    const acceptable = generated.oversize || (spec.kind === 'raw' && spec.mayDrop && !outcome.error?.startsWith('no answer'));
    if (acceptable) {
      if (generated.oversize) tally.oversizeDrops += 1;
      else tally.drops += 1;
    } else {
      tally.violations.push({ rule: 'no answer', what: generated.what, detail: outcome.error ?? 'no status' });
    }
    return;
  }
  if (generated.oversize && spec.kind === 'http' && !SAFE_METHODS.has(spec.method) && ![413, 400, 404, 431, 414, 308].includes(outcome.status)) {
    tally.violations.push({ rule: 'a body over the 1 MiB limit was not refused', what: generated.what, detail: `status ${outcome.status}` });
  }
  const finals = outcome.statuses.filter((status) => status >= 200);
  if (generated.csrfPoisoned && spec.kind === 'http' && !SAFE_METHODS.has(spec.method) && finals.some((status) => status < 300 || status === 301 || status === 302 || status === 303)) {
    tally.violations.push({ rule: 'a state-changing request without a valid CSRF token was carried out', what: generated.what, detail: `status ${outcome.status} ${outcome.location ?? ''}` });
  }
  const refusedKind = generated.refusedKind;
  if (refusedKind !== null && outcome.statuses.some((status) => succeeded(refusedKind, { ...outcome, status }))) {
    tally.violations.push({ rule: 'a request the contract refuses succeeded', what: generated.what, detail: `status ${outcome.status} Location: ${outcome.location ?? ''}${outcome.setsSession ? ' (set a session cookie)' : ''}` });
  }
}
