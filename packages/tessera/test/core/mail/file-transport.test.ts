// EMAIL_URL=file:DIR: one owner-only .eml file a message, whole or absent, that any mail reader opens.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';

import { Mailer } from '../../../src/core/mail/mailer.ts';
import { recipient, sampleMail } from './sample-mail.ts';

describe('the file transport', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-mail-files-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('writes each message as one .eml file, in a folder it makes, both owner-only', { timeout: 20_000 }, async () => {
    const directory = join(root, 'outbox', 'dev');
    const mailer = new Mailer({ url: `file:${directory}`, from: 'Tessera <no-reply@example.com>' });
    const subjects = ['비밀번호 재설정 안내', '이메일 주소 확인', '세 번째 메일'];
    try {
      assert.equal(mailer.transportKind, 'file');
      for (const subject of subjects) mailer.send(sampleMail({ subject }));
      await mailer.idle();
    } finally {
      await mailer.close();
    }

    const names = await readdir(directory);
    assert.equal(names.length, 3, `only the messages, no temporary file: ${names.join(', ')}`);
    for (const name of names) assert.match(name, /^\d{8}-\d{6}-\d{3}-[0-9a-f]{12}\.eml$/);
    assert.equal((await stat(directory)).mode & 0o777, 0o700);

    const expected = sampleMail();
    const received: string[] = [];
    for (const name of names) {
      const path = join(directory, name);
      assert.equal((await stat(path)).mode & 0o777, 0o600, `${name} is owner-only`);
      const parsed = await simpleParser(await readFile(path));
      received.push(parsed.subject ?? '');
      assert.equal(parsed.text, expected.text);
      assert.equal(parsed.html, expected.html);
      assert.equal(parsed.from?.value[0]?.address, 'no-reply@example.com');
      assert.ok(parsed.to !== undefined && !Array.isArray(parsed.to) && parsed.to.value[0]?.address === recipient);
      assert.match(parsed.messageId ?? '', /^<[0-9a-f]{32}@example\.com>$/);
      assert.ok(parsed.date instanceof Date);
    }
    assert.deepEqual(received.sort(), [...subjects].sort());
  });

  test('file names sort in the order the messages were sent', { timeout: 20_000 }, async () => {
    const directory = join(root, 'ordered');
    const mailer = new Mailer({ url: `file:${directory}`, from: 'no-reply@example.com' });
    try {
      for (const subject of ['first', 'second', 'third']) {
        mailer.send(sampleMail({ subject }));
        await mailer.idle();
        // the name's clock counts milliseconds; names within one are in random order
        await new Promise((resolveWait) => setTimeout(resolveWait, 3));
      }
    } finally {
      await mailer.close();
    }
    const names = (await readdir(directory)).sort();
    const subjects = await Promise.all(names.map(async (name) => (await simpleParser(await readFile(join(directory, name)))).subject));
    assert.deepEqual(subjects, ['first', 'second', 'third']);
  });

  test('a folder that cannot be made fails the delivery, logged, without throwing at the caller', { timeout: 20_000 }, async () => {
    const blocker = join(root, 'a-file');
    await writeFile(blocker, '');
    const errors: object[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (object: object) => errors.push(object) };
    const mailer = new Mailer({ url: `file:${join(blocker, 'mail')}`, from: 'no-reply@example.com', logger, attempts: 2, retryDelaysMs: [1] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(errors.length, 1);
      assert.deepEqual({ ...errors[0], messageId: undefined }, { messageId: undefined, transport: 'file', attempts: 2, permanent: false, code: 'ENOTDIR' });
    } finally {
      await mailer.close();
    }
  });
});
