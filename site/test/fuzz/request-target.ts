// The path and query of a hostile request: route parameters, mutated paths and hostile query strings.
import { ALNUM, PRINTABLE, URLSAFE } from './alphabets.ts';
import type { Fixture } from './fixture.ts';
import { formEncode } from './form-encoding.ts';
import { BAD_BYTES, HOSTILE_NEXT, garbageSegment, idForms } from './hostile-values.ts';
import type { Random } from './seeded-random.ts';

export function paramValue(r: Random, fx: Fixture, name: string, identityActors: ReadonlySet<number>, unsafe: boolean): string {
  switch (name) {
    case 'article': {
      // An unsafe request names articles it may not harm; a safe one may name any.
      const mine = [...identityActors].flatMap((index) => fx.actors[index]!.articles);
      const all = fx.actors.flatMap((actor) => actor.articles);
      const candidates = unsafe ? all.filter((id) => !mine.includes(id)) : all;
      return r.weighted<() => string>([
        [5, () => idForms(r, candidates.length > 0 ? r.pick(candidates) : 1_500_000_000)],
        [2, () => idForms(r, r.int(1_000_000_000, 2_000_000_000))],
        [3, () => garbageSegment(r)],
      ])();
    }
    case 'session':
      return r.weighted<() => string>([
        [3, () => r.string(URLSAFE, 22, 22)],
        [2, () => garbageSegment(r)],
      ])();
    case 'asset':
      return r.weighted<() => string>([
        [3, () => r.pick(fx.staticPaths).replace('/static/', '')],
        [1, () => `..%2F..%2F${r.pick(['package.json', 'etc%2Fpasswd', 'data%2Fsecret_key', 'db.sqlite3'])}`],
        [1, () => `${r.pick(['site.css', 'site.css%00.png', '.%2e', '%2e%2e', 'a'.repeat(300)])}`],
        [2, () => garbageSegment(r)],
      ])();
    default:
      return r.weighted<() => string>([
        [3, () => r.string(URLSAFE, 1, 40)],
        [1, () => r.pick(['MQ', 'MQ==', 'AA', '-1', '0', 'set-password', '..', 'done'])],
        [2, () => garbageSegment(r)],
      ])();
  }
}

export function mutatePath(r: Random, path: string): string {
  if (!r.chance(0.3)) return path;
  return r.weighted<() => string>([
    [4, () => `${path}/`],
    [1, () => `${path}//`],
    [1, () => `/${path}`],
    [1, () => `/\\${path.slice(1)}`],
    [1, () => `/\\/evil.example${path}`],
    [1, () => `//evil.example${path}`],
    [1, () => `${path}/.`],
    [1, () => `${path}/..`],
    [1, () => `/.${path}`],
    [1, () => `/%2e${path}`],
    [1, () => `${path}%2F`],
    [1, () => path.replace(/\//g, r.pick(['%2F', '%2f', '\\']))],
    [1, () => path.toUpperCase()],
    [1, () => `${path}${r.pick(['%00', '%', '%zz', ';a=b', '#frag', '.json', '~', '*', '%20', '%0d%0aSet-Cookie:%20x=y', '%C0%AF', '%E2%80%AE'])}`],
    [1, () => `${path}/${'a'.repeat(r.int(100, 30_000))}`],
    [1, () => path.replace(/[a-z]/, (char) => `%${char.charCodeAt(0).toString(16)}`)],
    [1, () => `${path}${String.fromCharCode(r.int(0xa0, 0xff))}`],
    [1, () => `${path}/${garbageSegment(r)}`],
  ])();
}

export function queryString(r: Random): string {
  if (!r.chance(0.35)) return '';
  const pairs: string[] = [];
  const count = r.int(1, 6);
  for (let index = 0; index < count; index += 1) {
    pairs.push(r.weighted<() => string>([
      [3, () => `page=${r.pick(['1', '2', '0', '-1', '99999999999', '1e3', 'abc', '', '%201', '%00', '%D9%A1', '9'.repeat(30), '1.5', '0x1', '%'])}`],
      [3, () => `next=${formEncode(r.pick(HOSTILE_NEXT))}`],
      [1, () => `next=${r.pick(HOSTILE_NEXT).replace(/[^\x21-\x7e]/g, (char) => encodeURIComponent(char))}`],
      [2, () => `${r.pick(['page[]', 'page[a]', 'next[]', '__proto__', 'constructor[prototype][x]', '', 'a'])}=${r.string(ALNUM, 0, 5)}`],
      [2, () => `${formEncode(r.string(PRINTABLE, 0, 10))}=${r.pick(BAD_BYTES)}`],
      [1, () => r.pick(['&', '=', '&&=&', '%', '+', '?', '#'])],
      [1, () => `q=${'x'.repeat(r.int(1000, 20_000))}`],
    ])());
  }
  return `?${pairs.join('&')}`;
}
