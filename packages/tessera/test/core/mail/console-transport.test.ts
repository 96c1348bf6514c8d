// EMAIL_URL=console: each message printed for a developer to read and click, as Django's console backend.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import { Mailer } from '../../../src/core/mail/mailer.ts';
import { recipient, resetLink, sampleMail } from './sample-mail.ts';

test('the console shows each message decoded: Korean as is, the link on one line, then a line of dashes', async () => {
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const mailer = new Mailer({ url: 'console', from: 'webmaster@localhost', output });
  const message = sampleMail();
  try {
    assert.equal(mailer.transportKind, 'console');
    mailer.send(message);
    mailer.send(sampleMail({ subject: '두 번째' }));
    await mailer.idle();
  } finally {
    await mailer.close();
  }

  const [first, second, rest] = printed.split(`${'-'.repeat(79)}\n`);
  assert.equal(rest, '', 'each message is followed by the separator, and nothing after the last');
  assert.ok(first !== undefined && second !== undefined);
  assert.match(first, /^Message-ID: <[0-9a-f]{32}@localhost>$/m);
  assert.match(first, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
  assert.match(first, /^From: webmaster@localhost$/m);
  assert.ok(first.includes(`\nTo: ${recipient}\n`));
  assert.ok(first.includes(`\nSubject: ${message.subject}\n`));
  assert.ok(first.includes(message.text), 'the text part, Korean and all, as written');
  assert.ok(first.includes(message.html));
  assert.ok(first.split('\n').includes(resetLink), 'the link alone on its line, unbroken');
  assert.ok(!/=\r?\n|=[0-9A-F]{2}/.test(first.replace(/href="[^"]*"/g, '')), 'no quoted-printable');
  assert.ok(second.includes('\nSubject: 두 번째\n'));
});

test('a line break in the subject cannot forge a header on the console', async () => {
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const mailer = new Mailer({ url: 'console', from: 'webmaster@localhost', output });
  try {
    mailer.send(sampleMail({ subject: 'Hello\r\nBcc: someone@example.net' }));
    await mailer.idle();
  } finally {
    await mailer.close();
  }
  assert.ok(printed.includes('\nSubject: Hello Bcc: someone@example.net\n'));
  assert.ok(!/^Bcc:/m.test(printed));
});
