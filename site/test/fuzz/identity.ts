// Who a hostile request claims to be: nobody, a fuzzing account, a forged session, or several at once.
import { PRINTABLE, URLSAFE } from './alphabets.ts';
import type { Fixture } from './fixture.ts';
import type { Random } from './seeded-random.ts';

export interface Identity {
  cookies: string[];
  actors: Set<number>;
  what: string;
}

function sessionGarbage(r: Random, fx: Fixture): string {
  return r.weighted<() => string>([
    [3, () => `${r.string(URLSAFE, 22, 22)}.${r.string(URLSAFE, 32, 32)}`],
    [2, () => {
      const actor = r.pick(fx.actors);
      return `${actor.session.slice(0, 23)}${r.string(URLSAFE, 32, 32)}`;
    }],
    [1, () => r.pick(fx.actors).session.slice(0, r.int(0, 54))],
    [1, () => `${r.pick(fx.actors).session}x`],
    [1, () => r.pick(['', '.', '""', '"x"', 'deleted', 'null', '%00', 'a=b', '\u00c3\u00a9'])],
    [1, () => r.string(PRINTABLE.replace(/[;,]/g, ''), 1, 60)],
    [1, () => r.string(URLSAFE, 100, 8000)],
  ])();
}

export function identity(r: Random, fx: Fixture, only?: 'anonymous' | 'actor'): Identity {
  const a = r.int(0, fx.actors.length - 1);
  let b = r.int(0, fx.actors.length - 1);
  if (b === a) b = (a + 1) % fx.actors.length;
  const session = (index: number) => `sessionid=${fx.actors[index]!.session}`;
  if (only === 'anonymous') return r.chance(0.7) ? { cookies: [], actors: new Set<number>(), what: 'anonymous' } : { cookies: [`sessionid=${sessionGarbage(r, fx)}`], actors: new Set<number>(), what: 'garbage-session' };
  if (only === 'actor') return { cookies: [session(a)], actors: new Set([a]), what: `actor${a}` };
  return r.weighted<() => Identity>([
    [30, () => ({ cookies: [], actors: new Set<number>(), what: 'anonymous' })],
    [30, () => ({ cookies: [session(a)], actors: new Set([a]), what: `actor${a}` })],
    [15, () => ({ cookies: [`sessionid=${sessionGarbage(r, fx)}`], actors: new Set<number>(), what: 'garbage-session' })],
    [5, () => ({ cookies: [`sessionid=${sessionGarbage(r, fx)}`, session(a)], actors: new Set([a]), what: `garbage+actor${a}` })],
    [5, () => ({ cookies: [session(a), `sessionid=${sessionGarbage(r, fx)}`], actors: new Set([a]), what: `actor${a}+garbage` })],
    [5, () => ({ cookies: [session(a), session(b)], actors: new Set([a, b]), what: `actor${a}+actor${b}` })],
  ])();
}
