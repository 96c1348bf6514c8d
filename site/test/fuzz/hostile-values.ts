// Values built to break parsers and validators: injection strings, invalid UTF-8, odd ids, path segments and redirects.
import { ALNUM, PRINTABLE, URLSAFE } from './alphabets.ts';
import { text, verbatim, type Wire } from './form-encoding.ts';
import type { Random } from './seeded-random.ts';

const NASTY_TEXT = [
  '', ' ', '\t', '\r\n', '0', '-1', '1e309', 'NaN', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' OR '1'='1", '; DROP TABLE users; --', '{{7*7}}', '${7*7}',
  '{% raw %}', '../../../../etc/passwd', '..\\..\\windows\\win.ini', '\u202e\u200b\ufeff', '\u034f', 'x\u0301', '𝕏', '😀',
  '\0', 'a\0b', 'Set-Cookie: x=y\r\nX: y', 'javascript:alert(1)', '//evil.example', '/\\evil.example', 'https://evil.example/',
  'ﬀ', 'İ', 'ß', 'ǅ', '\ud800', '\udfff', 'a\ud83d', '\u3164', '\ufe0f', '%', '%%', '&', '=', '+', '#', '?', '\u0085', '\u2028',
];

export const BAD_BYTES = [
  '%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%C3%28', '%FF', '%FE%FF', '%F4%90%80%80', '%F8%88%80%80%80', '%E0%80%AF', '%',
  '%2', '%G0', '%%', '%u0041', '%00', '%0D%0A', '%EF%BF%BE', '%C2', '%E2%82',
];

export function nastyValue(r: Random): Wire {
  return r.weighted<() => Wire>([
    [6, () => text(r.pick(NASTY_TEXT))],
    [4, () => verbatim(r.pick(BAD_BYTES) + r.string(ALNUM, 0, 4) + (r.chance(0.5) ? r.pick(BAD_BYTES) : ''))],
    [2, () => Buffer.from(Array.from({ length: r.int(1, 16) }, () => r.int(0x80, 0xff)))],
    [5, () => text(r.string(PRINTABLE, 0, 40))],
    [3, () => text(Array.from({ length: r.int(1, 30) }, () => String.fromCodePoint(r.pick([r.int(0, 0x7f), r.int(0x80, 0x7ff), r.int(0x800, 0xd7ff), r.int(0xe000, 0xffff), r.int(0x10000, 0x10ffff)]))).join(''))],
    [2, () => text('x'.repeat(r.int(100, 20_000)))],
    [1, () => text('😀'.repeat(r.int(50, 3000)))],
  ])();
}

export function garbageKey(r: Random): Wire {
  return r.weighted<() => Wire>([
    [4, () => text(r.pick(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '', 'a[b]', 'x[]', '_csrf_', 'CSRF', 'next[]', 'page', 'id']))],
    [3, () => text(r.string(ALNUM, 1, 12))],
    [2, () => nastyValue(r)],
    [1, () => text('k'.repeat(r.int(200, 5000)))],
  ])();
}

export function idForms(r: Random, id: number): string {
  const n = String(id);
  return r.weighted<() => string>([
    [8, () => n],
    [1, () => `0${n}`],
    [1, () => [...n].map((digit) => `%3${digit}`).join('')],
    [1, () => `${n}.0`],
    [1, () => `${n}e0`],
    [1, () => `+${n}`],
    [1, () => `%20${n}`],
    [1, () => `${n}%00`],
    [1, () => `0x${id.toString(16)}`],
    [1, () => `${n}/`],
    [1, () => `${n}%2F`],
    [1, () => `${n};x=1`],
  ])();
}

export function garbageSegment(r: Random): string {
  return r.weighted<() => string>([
    [3, () => r.pick(['0', '-1', 'abc', '..', '%2e%2e', '.', '%00', '١', '9'.repeat(17), '9'.repeat(300), '%', '%zz', 'null', '__proto__', '*', '~', '%C0%AF', '%E0%A4%A', '%FF'])],
    [2, () => r.string(URLSAFE, 0, 40)],
    [1, () => r.string(ALNUM, 201, 2000)],
    [1, () => Array.from({ length: r.int(1, 10) }, () => `%${r.int(0, 255).toString(16).padStart(2, '0')}`).join('')],
  ])();
}

export const HOSTILE_NEXT = ['//evil.example', '/\\evil.example', 'https://evil.example/', 'http:evil.example', '\\\\evil.example', ' /x', '\t//evil.example', '/%2F%2Fevil.example', '/%5Cevil.example', 'javascript:alert(1)', '/\u0000', '/articles', '/accounts/sessions', '%2F%2Fevil.example', '///evil.example', '/.//evil.example', '/\r\n/evil.example', 'data:text/html,x', '/articles?x=1#y'];
