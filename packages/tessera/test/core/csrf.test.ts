// CSRF: masked tokens that all carry the cookie's secret, and the Origin / Sec-Fetch-Site check (Django T-C1).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { crossSiteReason, csrfSecretLength, csrfTokenMatches, isCsrfSecret, maskCsrfSecret, newCsrfSecret, type RequestOrigin } from '../../src/core/csrf.ts';

describe('CSRF secrets and tokens', () => {
  test('a new secret is 32 characters of A-Za-z0-9, and every one is different', () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const secret = newCsrfSecret();
      assert.match(secret, /^[A-Za-z0-9]{32}$/);
      assert.equal(isCsrfSecret(secret), true);
      secrets.add(secret);
    }
    assert.equal(secrets.size, 200);
    assert.equal(csrfSecretLength, 32);
  });

  test('masked tokens are 64 characters, differ each time, and all match the secret', () => {
    const secret = newCsrfSecret();
    const tokens = new Set<string>();
    for (let i = 0; i < 100; i += 1) {
      const token = maskCsrfSecret(secret);
      assert.match(token, /^[A-Za-z0-9]{64}$/);
      assert.equal(token.includes(secret), false, 'the secret shows through the mask');
      assert.equal(csrfTokenMatches(token, secret), true);
      tokens.add(token);
    }
    assert.equal(tokens.size, 100);
  });

  test('masking works for secrets at the edges of the alphabet', () => {
    for (const secret of ['a'.repeat(32), '9'.repeat(32), 'Z'.repeat(32), 'a9'.repeat(16)]) {
      for (let i = 0; i < 20; i += 1) assert.equal(csrfTokenMatches(maskCsrfSecret(secret), secret), true, secret);
    }
  });

  test('the bare 32-character secret matches', () => {
    const secret = newCsrfSecret();
    assert.equal(csrfTokenMatches(secret, secret), true);
  });

  test('a token for another secret does not match, masked or bare', () => {
    const secret = newCsrfSecret();
    const other = newCsrfSecret();
    assert.equal(csrfTokenMatches(maskCsrfSecret(other), secret), false);
    assert.equal(csrfTokenMatches(other, secret), false);
  });

  test('a token altered in one character does not match', () => {
    const secret = newCsrfSecret();
    const token = maskCsrfSecret(secret);
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    assert.equal(csrfTokenMatches(token.slice(0, -1) + last, secret), false);
    const first = secret[0] === 'a' ? 'b' : 'a';
    assert.equal(csrfTokenMatches(first + secret.slice(1), secret), false);
  });

  test('short, long, non-alphanumeric and non-string tokens do not match', () => {
    const secret = newCsrfSecret();
    const token = maskCsrfSecret(secret);
    const bad: unknown[] = [
      '',
      secret.slice(1),
      `${secret}a`,
      token.slice(1),
      `${token}a`,
      `${token}${token}`,
      '*'.repeat(64),
      '*'.repeat(32),
      `${token.slice(0, 63)}-`,
      `${secret.slice(0, 31)} `,
      ` ${secret.slice(1)}`,
      `${secret.slice(0, 31)}\n`,
      undefined,
      null,
      42,
      [secret],
      { token },
    ];
    for (const submitted of bad) assert.equal(csrfTokenMatches(submitted, secret), false, JSON.stringify(submitted));
  });

  test('a missing or invalid cookie matches nothing', () => {
    const secret = newCsrfSecret();
    const token = maskCsrfSecret(secret);
    for (const cookie of [undefined, '', 'a'.repeat(16), '*'.repeat(64), '*'.repeat(32), `${secret}x`, secret.slice(1)]) {
      assert.equal(csrfTokenMatches(token, cookie), false, JSON.stringify(cookie));
      assert.equal(csrfTokenMatches(secret, cookie), false, JSON.stringify(cookie));
    }
    assert.equal(isCsrfSecret(undefined), false);
    assert.equal(isCsrfSecret(123), false);
  });

  test('a bare secret equal to a malformed cookie still does not match', () => {
    // The cookie is checked for shape, so an attacker who plants a cookie cannot pick one that matches anything.
    assert.equal(csrfTokenMatches('*'.repeat(32), '*'.repeat(32)), false);
    assert.equal(csrfTokenMatches('', ''), false);
  });
});

describe('crossSiteReason', () => {
  const site: RequestOrigin = { origin: undefined, fetchSite: undefined, scheme: 'https', host: 'www.example.com' };

  test('Sec-Fetch-Site: cross-site is rejected, even with a matching Origin', () => {
    assert.equal(typeof crossSiteReason({ ...site, fetchSite: 'cross-site' }), 'string');
    assert.equal(typeof crossSiteReason({ ...site, fetchSite: 'cross-site', origin: 'https://www.example.com' }), 'string');
  });

  for (const fetchSite of ['same-origin', 'same-site', 'none']) {
    test(`Sec-Fetch-Site: ${fetchSite} is allowed`, () => {
      assert.equal(crossSiteReason({ ...site, fetchSite }), null);
      assert.equal(crossSiteReason({ ...site, fetchSite, origin: 'https://www.example.com' }), null);
    });
  }

  test('no Origin and no Sec-Fetch-Site is allowed (older clients; the token decides)', () => {
    assert.equal(crossSiteReason(site), null);
  });

  test('an Origin equal to scheme://host is allowed', () => {
    assert.equal(crossSiteReason({ ...site, origin: 'https://www.example.com' }), null);
    assert.equal(crossSiteReason({ ...site, scheme: 'http', origin: 'http://www.example.com' }), null);
    assert.equal(crossSiteReason({ ...site, scheme: 'http', host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }), null);
  });

  // Django T-C1, host www.example.com.
  const rejected: Array<[string, Partial<RequestOrigin>]> = [
    ['another site', { origin: 'https://www.evil.org' }],
    ['the opaque origin null', { origin: 'null' }],
    ['http Origin on an https request', { origin: 'http://www.example.com' }],
    ['https Origin on an http request', { scheme: 'http', origin: 'https://www.example.com' }],
    ['the parent domain', { origin: 'https://example.com' }],
    ['a subdomain', { origin: 'https://foo.www.example.com' }],
    ['a suffix trick', { origin: 'https://www.example.com.evil.org' }],
    ['another port', { origin: 'https://www.example.com:8443' }],
    ['a malformed Origin', { origin: 'https://[' }],
    ['an empty Origin', { origin: '' }],
    ['an Origin with a trailing slash', { origin: 'https://www.example.com/' }],
    ['an Origin but no Host', { origin: 'https://www.example.com', host: undefined }],
  ];
  for (const [name, request] of rejected) {
    test(`Origin is rejected: ${name}`, () => {
      const reason = crossSiteReason({ ...site, ...request });
      assert.equal(typeof reason, 'string');
      assert.ok((reason ?? '').length > 0);
    });
  }

  test('the reason names the Origin that was refused', () => {
    assert.match(crossSiteReason({ ...site, origin: 'https://www.evil.org' }) ?? '', /https:\/\/www\.evil\.org/);
  });
});
