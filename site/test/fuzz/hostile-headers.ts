// The headers and cookies of a hostile request beyond its session and CSRF token.
import type { OutgoingHttpHeaders } from 'node:http';
import { ALNUM, PRINTABLE, URLSAFE } from './alphabets.ts';
import type { Fixture } from './fixture.ts';
import { HOSTILE_NEXT } from './hostile-values.ts';
import type { Random } from './seeded-random.ts';

/** Header values as node:http lets them through: visible Latin-1, spaces and tabs. */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

export function extraCookies(r: Random): string[] {
  const cookies: string[] = [];
  if (r.chance(0.1)) cookies.push(`hide_notice=${r.pick(['1', '', 'x'])}`);
  if (r.chance(0.15)) cookies.push(`lang=${r.pick(['ko', 'en', 'xx', '', 'ko,en', 'KO', '%00', '\u00c3\u00ad'])}`);
  if (r.chance(0.1)) cookies.push(`reading_list=${r.pick(['', '1,2,3', r.string(URLSAFE, 10, 200), `${r.string(URLSAFE, 20, 40)}.${r.string(URLSAFE, 20, 60)}`])}`);
  if (r.chance(0.1)) cookies.push(`remembered_username=${r.pick(['', r.string(PRINTABLE.replace(/[;,]/g, ''), 1, 300), '%00'])}`);
  if (r.chance(0.1)) cookies.push(`device=${r.string(URLSAFE, 0, 120)}`);
  if (r.chance(0.1)) cookies.push(`${r.string(ALNUM, 1, 8)}=${r.string(PRINTABLE.replace(/[;,]/g, ''), 0, 40)}`);
  if (r.chance(0.03)) cookies.push(`pad=${'p'.repeat(r.int(1000, 14_000))}`);
  if (r.chance(0.01)) cookies.push(`pad=${'p'.repeat(r.int(17_000, 60_000))}`);
  if (r.chance(0.03)) cookies.push(...Array.from({ length: r.int(20, 300) }, (_unused, index) => `c${index}=${r.string(ALNUM, 0, 8)}`));
  return cookies;
}

export function shuffleExtras(r: Random, ordered: string[], extras: string[]): string[] {
  const result = [...ordered];
  for (const extra of extras) result.splice(r.int(0, result.length), 0, extra);
  return result;
}

export function commonHeaders(r: Random, fx: Fixture): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (r.chance(0.8)) headers['user-agent'] = headerSafe(r.pick(['Mozilla/5.0 (X11; Linux x86_64) fuzz', '', r.string(PRINTABLE, 1, 300), 'x'.repeat(r.int(1000, 8000)), 'Ã©Ã¨\u00ff']));
  if (r.chance(0.3)) headers['accept-language'] = headerSafe(r.pick(['ko', 'en', 'ko-KR,ko;q=0.9,en;q=0.8', '*', 'xx', '', 'en;q=abc', ';;;', ',,,', 'ko;q=1e9', 'a'.repeat(r.int(100, 6000)), 'zh, ko;q=0.1, en;q=0.2', '\u00e9']));
  if (r.chance(0.15)) headers['if-none-match'] = headerSafe(r.pick(['*', '"x"', 'W/"x"', '', '"', r.string(PRINTABLE, 1, 200), '"a", "b", W/"c"']));
  if (r.chance(0.1)) headers.referer = headerSafe(r.pick([...HOSTILE_NEXT, `${fx.origin}/articles`, `${fx.origin}//evil.example`, `${fx.origin}/\\evil.example`, 'not a url', '']));
  if (r.chance(0.1)) headers['x-forwarded-for'] = headerSafe(r.pick(['1.2.3.4', '::1', 'garbage', '1.2.3.4, 5.6.7.8', '', '999.999.999.999', 'fe80::1%eth0', '[::1]:80']));
  if (r.chance(0.05)) headers.host = headerSafe(r.pick(['', 'localhost', '127.0.0.1', 'evil.example:80', '[::1]', '127.0.0.1:1', 'a'.repeat(300), 'a b']));
  if (r.chance(0.05)) headers['x-http-method-override'] = r.pick(['DELETE', 'PUT', 'GET']);
  if (r.chance(0.05)) headers.range = r.pick(['bytes=0-10', 'bytes=-1', 'bytes=9999999999-', 'garbage']);
  if (r.chance(0.05)) headers['accept-encoding'] = r.pick(['gzip', 'br', 'identity;q=0', '*;q=0', 'x'.repeat(500)]);
  if (r.chance(0.05)) headers.accept = r.pick(['application/json', 'text/html', '*/*', 'x', '']);
  if (r.chance(0.03)) {
    const count = r.int(10, 150);
    for (let index = 0; index < count; index += 1) headers[`x-fuzz-${index}`] = r.string(PRINTABLE, 0, 40);
  }
  return headers;
}
