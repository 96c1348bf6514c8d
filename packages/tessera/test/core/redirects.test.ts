// Redirect-target guard against Django's vectors (reference §4) and browser-normalised attacks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isSafeRedirect, refererPath, safeRedirect } from '../../src/core/redirects.ts';

// Mirrors Python's r"..." so the Django vectors can be copied verbatim.
const r = String.raw;

function label(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
}

describe('isSafeRedirect: Django T-R1 bad URLs', () => {
  const bad = [
    'http://example.com',
    'http:///example.com',
    'https://example.com',
    'ftp://example.com',
    r`\\example.com`,
    r`\\\example.com`,
    r`/\\/example.com`,
    r`\\\example.com`,
    r`\\example.com`,
    r`\\//example.com`,
    r`/\/example.com`,
    r`\/example.com`,
    r`/\example.com`,
    'http:///example.com',
    r`http:/\//example.com`,
    r`http:\/example.com`,
    r`http:/\example.com`,
    'javascript:alert("XSS")',
    '\njavascript:alert(x)',
    'java\nscript:alert(x)',
    '\x08//example.com',
    r`http://otherserver\@example.com`,
    r`http:\\testserver\@example.com`,
    r`http://testserver\me:pass@example.com`,
    r`http://testserver\@example.com`,
    r`http:\\testserver\confirm\me@example.com`,
    'http:999999999',
    'ftp:9999999999',
    '\n',
    'http://[2001:cdba:0000:0000:0000:0000:3257:9652/',
    'http://2001:cdba:0000:0000:0000:0000:3257:9652]/',
  ];
  for (const url of bad) {
    test(label(url), () => assert.equal(isSafeRedirect(url), false));
  }

  test('raw strings hold the backslashes Django tests with', () => {
    assert.equal(r`\\example.com`, '\\\\example.com');
    assert.equal(r`/\\/example.com`.length, 15);
  });
});

describe('isSafeRedirect: Django T-R4 bad URLs', () => {
  const bad = [
    'http://example.com',
    'http:///example.com',
    'https://example.com',
    'ftp://example.com',
    '///example.com',
    '//example.com',
    'javascript:alert("XSS")',
  ];
  for (const url of bad) {
    test(label(url), () => assert.equal(isSafeRedirect(url), false));
  }
});

describe('isSafeRedirect: Django T-R2/T-R3/T-R4 good URLs that are local paths', () => {
  const good = [
    '/view/?param=http://example.com',
    '/view/?param=https://example.com',
    '/view?param=ftp://example.com',
    '/url%20with%20spaces/',
    '/confirm/me@example.com',
  ];
  for (const url of good) {
    test(label(url), () => assert.equal(isSafeRedirect(url), true));
  }
});

describe('isSafeRedirect: Django good URLs that are not local paths', () => {
  // Django accepts these for allowed hosts; the contract is stricter and only follows paths that
  // start with a single '/', so absolute, scheme-relative and relative targets all fall back.
  const notLocal = [
    'https://testserver/',
    'HTTPS://testserver/',
    '//testserver/',
    'http://testserver/confirm?email=me@example.com',
    'view/?param=//example.com',
    'path/http:2222222222',
  ];
  for (const url of notLocal) {
    test(label(url), () => assert.equal(isSafeRedirect(url), false));
  }
});

describe('isSafeRedirect: browser-normalised attacks', () => {
  const bad: unknown[] = [
    '/\t/example.com',
    '/\n/example.com',
    '/\r/example.com',
    '\t//example.com',
    ' //example.com',
    ' /',
    '/\\example.com',
    '/%09/example.com',
    '/%0A/example.com',
    '//example.com',
    '///example.com',
    '/%2F/example.com',
    '/%2f%2fexample.com',
    '/%2F%2Fevil.com',
    '/%5Cevil.com',
    '/%5cevil.com',
    '/%252F/example.com',
    '/%25252F%25252Fevil.com',
    '/%20/example.com',
    '/./%2F/example.com',
    '/.//example.com',
    '/a/..//example.com',
    '/a%5C..%5C%5Cexample.com',
    '/a/%2E%2E/%2Fexample.com',
    '/a\\b',
    '/a b',
    '/a\u00A0b',
    '/a\u2028b',
    '/a\uFEFFb',
    '/a\u0085b',
    '/a\x7Fb',
    '/a%00b',
    '\x00/',
    '/\x00',
    '',
    'example.com',
    '/' + 'a'.repeat(2048),
    undefined,
    null,
    42,
    ['/a'],
    { toString: () => '/a' },
    new String('/a'),
  ];
  for (const target of bad) {
    test(label(target).slice(0, 60), () => assert.equal(isSafeRedirect(target), false));
  }
});

describe('isSafeRedirect: ordinary local paths', () => {
  const good = [
    '/',
    '/accounts/update',
    '/articles/3?page=2#x',
    '/url%20with%20spaces/',
    '/else/where/%E0%A4%9D/',
    '/search?q=a%2Fb',
    '/path?next=//example.com',
    '/a/b/../c',
    '/%E2%80%A8',
    '/' + 'a'.repeat(2047),
  ];
  for (const target of good) {
    test(label(target).slice(0, 60), () => assert.equal(isSafeRedirect(target), true));
  }
});

describe('safeRedirect', () => {
  test('returns a safe target unchanged', () => {
    assert.equal(safeRedirect('/accounts/update?x=1'), '/accounts/update?x=1');
  });
  test("falls back to '/' by default", () => {
    assert.equal(safeRedirect('//evil.com'), '/');
    assert.equal(safeRedirect(undefined), '/');
    assert.equal(safeRedirect(['/a']), '/');
  });
  test('falls back to the given fallback', () => {
    assert.equal(safeRedirect('https://evil.com/', '/accounts/profile/'), '/accounts/profile/');
    assert.equal(safeRedirect('/ok', '/accounts/profile/'), '/ok');
  });
});

describe('refererPath', () => {
  test('same host gives path and query, without the fragment', () => {
    assert.equal(refererPath('http://site.test/articles/3?page=2#x', 'site.test'), '/articles/3?page=2');
    assert.equal(refererPath('https://site.test/', 'site.test'), '/');
  });
  test('host comparison honours ports and case', () => {
    assert.equal(refererPath('http://127.0.0.1:3000/a', '127.0.0.1:3000'), '/a');
    assert.equal(refererPath('http://127.0.0.1:3001/a', '127.0.0.1:3000'), null);
    assert.equal(refererPath('https://Site.Test:443/a', 'site.test'), '/a');
    assert.equal(refererPath('http://site.test/a', 'SITE.TEST:80'), '/a');
  });
  test('other host gives null', () => {
    assert.equal(refererPath('http://evil.test/a', 'site.test'), null);
    assert.equal(refererPath('http://site.test.evil.test/a', 'site.test'), null);
    assert.equal(refererPath('http://evil.test@site.test/a', 'site.test'), null);
  });
  test('non-http schemes give null', () => {
    assert.equal(refererPath('javascript:alert(1)', 'site.test'), null);
    assert.equal(refererPath('javascript://site.test/%0Aalert(1)', 'site.test'), null);
    assert.equal(refererPath('ftp://site.test/a', 'site.test'), null);
    assert.equal(refererPath('data:text/html,hi', 'site.test'), null);
  });
  test('malformed or missing input gives null', () => {
    assert.equal(refererPath('not a url', 'site.test'), null);
    assert.equal(refererPath('/relative/only', 'site.test'), null);
    assert.equal(refererPath('http://', 'site.test'), null);
    assert.equal(refererPath(undefined, 'site.test'), null);
    assert.equal(refererPath('http://site.test/a', undefined), null);
    assert.equal(refererPath('', 'site.test'), null);
    assert.equal(refererPath('http://site.test/a', 'site.test/evil'), null);
  });
  test('a same-host Referer whose path is unsafe gives null', () => {
    assert.equal(refererPath('http://site.test//evil.com/', 'site.test'), null);
    assert.equal(refererPath('http://site.test/%2F%2Fevil.com', 'site.test'), null);
  });
});
