// The CSRF token a request carries: valid, ambiguous, or one of the ways a token can be wrong.
import type { OutgoingHttpHeaders } from 'node:http';
import { ALNUM, URLSAFE } from './alphabets.ts';
import type { CsrfPair, Fixture } from './fixture.ts';
import { text, type Wire } from './form-encoding.ts';
import { nastyValue } from './hostile-values.ts';
import type { Random } from './seeded-random.ts';

type CsrfClass = 'valid' | 'ambiguous' | 'invalid';

export interface CsrfPlan {
  cls: CsrfClass;
  what: string;
  cookies: string[];
  bodyTokens: Wire[];
  headers: OutgoingHttpHeaders;
}

function forgedToken(r: Random, token: string): string {
  return r.weighted<() => string>([
    [2, () => token.slice(0, -1)],
    [2, () => {
      const at = r.int(0, token.length - 1);
      const current = token[at]!;
      const replacement = ALNUM[(ALNUM.indexOf(current) + r.int(1, ALNUM.length - 1)) % ALNUM.length]!;
      return token.slice(0, at) + replacement + token.slice(at + 1);
    }],
    [2, () => r.string(ALNUM, 64, 64)],
    [1, () => r.string(ALNUM, 32, 32)],
    [1, () => `${token}${r.string(ALNUM, 1, 3)}`],
    [1, () => token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()],
    [1, () => r.pick(['', ' ', 'null', 'undefined', '0', '[object Object]'])],
  ])();
}

export function csrfPlan(r: Random, fx: Fixture, identityActors: ReadonlySet<number>, mustBeInvalid: boolean, mustBeValid = false): CsrfPlan {
  const owner = r.weighted<() => CsrfPair>([
    [3, () => fx.anon],
    [1, () => fx.stranger],
    [3, () => fx.actors[identityActors.size > 0 ? [...identityActors][0]! : r.int(0, fx.actors.length - 1)]!.csrf],
  ])();
  const other = owner === fx.stranger ? fx.anon : fx.stranger;
  const cookie = `csrftoken=${owner.secret}`;
  const invalid: (() => CsrfPlan)[] = [
    () => ({ cls: 'invalid', what: 'csrf-missing', cookies: [cookie], bodyTokens: [], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-no-cookie', cookies: [], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-garbage-cookie', cookies: [`csrftoken=${r.pick([r.string(ALNUM, 31, 31), r.string(ALNUM, 33, 33), r.string(URLSAFE, 32, 32).replace(/^./, '-'), '', 'x'])}`], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-other-visitor', cookies: [cookie], bodyTokens: [text(other.token)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-forged', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token))], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-forged-header', cookies: [cookie], bodyTokens: [], headers: { 'x-csrf-token': forgedToken(r, owner.token) || 'x' } }),
    () => ({ cls: 'invalid', what: 'csrf-forged-repeated', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token)), text(other.token), nastyValue(r)], headers: {} }),
    () => ({ cls: 'invalid', what: 'csrf-cross-origin', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: r.pick(['http://evil.example', `http://127.0.0.1:${fx.port + 1}`, `https://127.0.0.1:${fx.port}`, `http://127.0.0.1:${fx.port}.evil.example`, 'http://localhost.evil.example']) } }),
  ];
  if (mustBeInvalid) return r.pick(invalid)();
  const valid: (() => CsrfPlan)[] = [
    () => ({ cls: 'valid', what: 'csrf-field', cookies: [cookie], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'valid', what: 'csrf-bare-secret', cookies: [cookie], bodyTokens: [text(owner.secret)], headers: {} }),
    () => ({ cls: 'valid', what: 'csrf-header', cookies: [cookie], bodyTokens: [], headers: { 'x-csrf-token': owner.token } }),
    () => ({ cls: 'valid', what: 'csrf-field-same-origin', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: fx.origin, 'sec-fetch-site': 'same-origin' } }),
  ];
  const ambiguous: (() => CsrfPlan)[] = [
    () => ({ cls: 'ambiguous', what: 'csrf-valid-then-forged', cookies: [cookie], bodyTokens: [text(owner.token), text(forgedToken(r, owner.token))], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-forged-then-valid', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token)), text(owner.token)], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-header-forged-field-valid', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { 'x-csrf-token': forgedToken(r, owner.token) || 'x' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-header-valid-field-forged', cookies: [cookie], bodyTokens: [text(forgedToken(r, owner.token))], headers: { 'x-csrf-token': owner.token } }),
    () => ({ cls: 'ambiguous', what: 'csrf-two-cookies', cookies: r.chance(0.5) ? [cookie, `csrftoken=${other.secret}`] : [`csrftoken=${other.secret}`, cookie], bodyTokens: [text(owner.token)], headers: {} }),
    () => ({ cls: 'ambiguous', what: 'csrf-origin-null', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { origin: 'null' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-fetch-cross-site', cookies: [cookie], bodyTokens: [text(owner.token)], headers: { 'sec-fetch-site': 'cross-site' } }),
    () => ({ cls: 'ambiguous', what: 'csrf-token-array-key', cookies: [cookie], bodyTokens: [], headers: {} }),
  ];
  if (mustBeValid) return r.pick(valid)();
  return r.weighted<() => CsrfPlan>([
    [3, () => r.pick(invalid)()],
    [4, () => r.pick(valid)()],
    [2, () => r.pick(ambiguous)()],
  ])();
}
