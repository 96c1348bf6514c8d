// EMAIL_URL: every form it takes, the ones it refuses, and a password that never shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeEmailUrl, parseEmailUrl } from '../../../src/core/mail/email-url.ts';
import { requiresStartTls } from '../../../src/core/mail/mail-transport.ts';
import { TesseraError } from '../../../src/core/errors.ts';

const password = 'Sup3r-S3cret';

describe('parseEmailUrl', () => {
  test('console is the console transport', () => {
    assert.deepEqual(parseEmailUrl('console'), { kind: 'console' });
  });

  test('file:DIR keeps a relative or an absolute directory as written', () => {
    assert.deepEqual(parseEmailUrl('file:data/mail'), { kind: 'file', directory: 'data/mail' });
    assert.deepEqual(parseEmailUrl('file:/var/spool/tessera'), { kind: 'file', directory: '/var/spool/tessera' });
  });

  test('a file:/// URL names an absolute directory', () => {
    assert.deepEqual(parseEmailUrl('file:///var/spool/tessera%20mail'), { kind: 'file', directory: '/var/spool/tessera mail' });
  });

  test('smtp:// is plain SMTP with its host, port and login', () => {
    assert.deepEqual(parseEmailUrl(`smtp://mailer:${password}@smtp.example.com:2525`), {
      kind: 'smtp',
      url: `smtp://mailer:${password}@smtp.example.com:2525`,
      secure: false,
      host: 'smtp.example.com',
      port: 2525,
      auth: { user: 'mailer', pass: password },
    });
  });

  test('smtps:// is TLS from the start', () => {
    const spec = parseEmailUrl(`smtps://mailer:${password}@smtp.example.com:4650`);
    assert.equal(spec.kind, 'smtp');
    assert.equal(spec.kind === 'smtp' && spec.secure, true);
  });

  test('without a port, smtp:// uses 587 (submission) and smtps:// 465', () => {
    const plain = parseEmailUrl('smtp://u:p@smtp.example.com');
    const tls = parseEmailUrl('smtps://u:p@smtp.example.com/');
    assert.equal(plain.kind === 'smtp' && plain.port, 587);
    assert.equal(tls.kind === 'smtp' && tls.port, 465);
  });

  test('the user name and password are percent-decoded', () => {
    const spec = parseEmailUrl('smtp://mailer%40example.com:p%40ss%3Aw%2Frd%20%ED%95%9C@smtp.example.com:587');
    assert.equal(spec.kind, 'smtp');
    assert.deepEqual(spec.kind === 'smtp' && spec.auth, { user: 'mailer@example.com', pass: 'p@ss:w/rd 한' });
  });

  test('a relay without login has no auth', () => {
    const spec = parseEmailUrl('smtp://relay.internal:25');
    assert.equal(spec.kind === 'smtp' && spec.auth, undefined);
    assert.equal(spec.kind === 'smtp' && spec.host, 'relay.internal');
  });

  test('an IPv6 host loses its brackets', () => {
    const spec = parseEmailUrl('smtp://u:p@[::1]:2525');
    assert.equal(spec.kind === 'smtp' && spec.host, '::1');
  });

  const refused: Array<[string, string]> = [
    ['an empty value', ''],
    ['another scheme', `https://mailer:${password}@smtp.example.com`],
    ['a scheme without //', `smtp:mailer:${password}@smtp.example.com`],
    ['a capitalised name', 'Console'],
    ['file: without a directory', 'file:'],
    ['a file URL with a host', 'file://fileserver/share/mail'],
    ['no host', `smtp://mailer:${password}@:25`],
    ['a port out of range', `smtp://mailer:${password}@smtp.example.com:99999`],
    ['port 0', `smtp://mailer:${password}@smtp.example.com:0`],
    ['a user without a password', 'smtp://mailer@smtp.example.com'],
    ['a password without a user', `smtp://:${password}@smtp.example.com`],
    ['a path', `smtp://mailer:${password}@smtp.example.com/inbox`],
    ['a query', `smtps://mailer:${password}@smtp.example.com?tls=off`],
    ['an unencoded # in the password', `smtp://mailer:${password}#1@smtp.example.com`],
    ['a malformed escape in the password', `smtp://mailer:${password}%zz@smtp.example.com`],
  ];
  for (const [what, url] of refused) {
    test(`refuses ${what} with config_invalid naming EMAIL_URL and not the password`, () => {
      assert.throws(
        () => parseEmailUrl(url),
        (error: unknown) => {
          assert.ok(error instanceof TesseraError);
          assert.equal(error.code, 'config_invalid');
          assert.match(error.message, /EMAIL_URL/);
          assert.ok(!error.message.includes(password), `the message shows the password: ${error.message}`);
          assert.ok(!error.message.includes('mailer:'), `the message repeats the URL: ${error.message}`);
          assert.equal(error.cause, undefined);
          return true;
        },
      );
    });
  }
});

describe('describeEmailUrl', () => {
  test('shows the password of an SMTP URL as ***', () => {
    assert.equal(describeEmailUrl(`smtp://mailer:${password}@smtp.example.com:2525`), 'smtp://mailer:***@smtp.example.com:2525');
    assert.equal(describeEmailUrl(`smtps://mailer%40example.com:${encodeURIComponent('p@ss/한')}@smtp.example.com`), 'smtps://mailer%40example.com:***@smtp.example.com:465');
  });

  test('shows a relay without login, the console and a folder as they are', () => {
    assert.equal(describeEmailUrl('smtp://relay.internal'), 'smtp://relay.internal:587');
    assert.equal(describeEmailUrl('console'), 'console');
    assert.equal(describeEmailUrl('file:data/mail'), 'file:data/mail');
  });

  test('does not show a URL that does not parse, as its password cannot be told apart', () => {
    const description = describeEmailUrl(`smtp://mailer:${password}#x@smtp.example.com`);
    assert.ok(!description.includes(password));
    assert.match(description, /invalid EMAIL_URL/);
  });
});

describe('requiresStartTls', () => {
  const smtp = (url: string) => {
    const spec = parseEmailUrl(url);
    assert.equal(spec.kind, 'smtp');
    return spec as Extract<ReturnType<typeof parseEmailUrl>, { kind: 'smtp' }>;
  };

  test('a login to another machine over smtp:// must upgrade, or the password and the links cross the network in clear', () => {
    assert.equal(requiresStartTls(smtp('smtp://user:pass@mail.example.com:587')), true);
    assert.equal(requiresStartTls(smtp('smtp://user:pass@10.0.0.5:25')), true);
  });

  test('smtps:// is TLS already; a relay without a login, or one on this machine, is left as it is', () => {
    assert.equal(requiresStartTls(smtp('smtps://user:pass@mail.example.com:465')), false);
    assert.equal(requiresStartTls(smtp('smtp://mail.example.com:25')), false);
    assert.equal(requiresStartTls(smtp('smtp://user:pass@127.0.0.1:2525')), false);
    assert.equal(requiresStartTls(smtp('smtp://user:pass@localhost:2525')), false);
    assert.equal(requiresStartTls(smtp('smtp://user:pass@[::1]:2525')), false);
  });
});
