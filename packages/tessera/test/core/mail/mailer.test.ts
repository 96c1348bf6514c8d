// The Mailer's outbox: send never waits or throws, failed deliveries are retried then given up,
// and no log line above debug gives away who was mailed what.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';

import { TesseraError } from '../../../src/core/errors.ts';
import { Mailer } from '../../../src/core/mail/mailer.ts';
import { assertNothingPrivateLogged, RecordingMailLogger } from './recording-mail-logger.ts';
import { recipient, resetLink, sampleMail, token } from './sample-mail.ts';
import { closedPort, startSmtpServer } from './smtp-test-server.ts';

const sender = 'no-reply@example.com';
const subject = sampleMail().subject;
// what a refusing server says; real ones quote the recipient like this
const refusalText = `Mailbox of ${recipient} is over quota, try again later`;
const privateParts = [recipient, subject, resetLink, token, refusalText, 'over quota'];

describe('Mailer', () => {
  test('a refused delivery is retried after the given delays until it is accepted', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ refusals: 2, refusalCode: 451, refusalText });
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${server.port}`, from: sender, logger, attempts: 3, retryDelaysMs: [10, 20] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(server.dataAttempts, 3);
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0]?.parsed.subject, subject);
      const retries = logger.at('warn');
      assert.deepEqual(
        retries.map((line) => ({ ...line.object, messageId: undefined })),
        [
          { messageId: undefined, transport: 'smtp', attempt: 1, of: 3, retryInMs: 10, code: 'EMESSAGE', responseCode: 451 },
          { messageId: undefined, transport: 'smtp', attempt: 2, of: 3, retryInMs: 20, code: 'EMESSAGE', responseCode: 451 },
        ],
      );
      const [sent] = logger.at('info');
      assert.equal(sent?.message, 'mail sent');
      assert.equal((sent?.object as { attempt?: number }).attempt, 3);
      assert.deepEqual(logger.at('error'), []);
      assertNothingPrivateLogged(logger, privateParts);
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('every attempt retries the same message, under one Message-ID', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ refusals: 1, refusalText });
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${server.port}`, from: sender, logger, retryDelaysMs: [10] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      const loggedIds = new Set(logger.lines.filter((line) => line.level !== 'debug').map((line) => (line.object as { messageId?: string }).messageId));
      assert.deepEqual([...loggedIds], [server.received[0]?.parsed.messageId]);
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('a server that always refuses is given up after `attempts`, with an error line and nothing private', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ refusals: Infinity, refusalCode: 451, refusalText });
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${server.port}`, from: sender, logger, attempts: 3, retryDelaysMs: [5] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(server.dataAttempts, 3);
      assert.equal(server.received.length, 0);
      assert.deepEqual(
        logger.at('warn').map((line) => (line.object as { retryInMs?: number }).retryInMs),
        [5, 5],
        'the last delay is used again when there are more attempts than delays',
      );
      const errors = logger.at('error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.message, 'mail not delivered');
      assert.deepEqual({ ...errors[0]?.object, messageId: undefined }, { messageId: undefined, transport: 'smtp', attempts: 3, permanent: false, code: 'EMESSAGE', responseCode: 451 });
      assertNothingPrivateLogged(logger, privateParts);
      // debug is where a developer looks for the recipient and the server's reply
      assert.ok(logger.at('debug').some((line) => JSON.stringify(line.object).includes(recipient)));
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('a 5xx refusal is final: one attempt, no retry', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ refusals: Infinity, refusalCode: 550, refusalText: `No such user ${recipient}` });
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${server.port}`, from: sender, logger, attempts: 3, retryDelaysMs: [5] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(server.dataAttempts, 1);
      assert.deepEqual(logger.at('warn'), []);
      assert.deepEqual({ ...logger.at('error')[0]?.object, messageId: undefined }, { messageId: undefined, transport: 'smtp', attempts: 1, permanent: true, code: 'EMESSAGE', responseCode: 550 });
      assertNothingPrivateLogged(logger, [...privateParts, 'No such user']);
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('send returns at once with the server down, and idle() resolves once the attempts are spent', { timeout: 20_000 }, async () => {
    const port = await closedPort();
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${port}`, from: sender, logger, attempts: 3, retryDelaysMs: [5, 10] });
    try {
      const returned = mailer.send(sampleMail());
      logger.lines.push({ level: 'debug', object: {}, message: 'send returned' });
      assert.equal(returned, undefined);
      await mailer.idle();
      const messages = logger.lines.map((line) => line.message);
      assert.ok(messages.indexOf('send returned') < messages.indexOf('mail delivery failed'), 'send returned before any delivery was tried');
      assert.equal(logger.at('warn').length, 2);
      const [failure] = logger.at('error');
      assert.equal(failure?.message, 'mail not delivered');
      assert.equal((failure?.object as { attempts?: number }).attempts, 3);
      assert.equal(typeof (failure?.object as { code?: unknown }).code, 'string');
      assertNothingPrivateLogged(logger, privateParts);
    } finally {
      await mailer.close();
    }
  });

  test('a burst of messages all arrive, over two connections at a time at most', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer();
    const mailer = new Mailer({ url: `smtp://127.0.0.1:${server.port}`, from: sender });
    try {
      for (let index = 0; index < 5; index += 1) mailer.send(sampleMail({ subject: `메일 ${index}` }));
      await mailer.idle();
      assert.deepEqual(server.received.map((mail) => mail.parsed.subject).sort(), ['메일 0', '메일 1', '메일 2', '메일 3', '메일 4']);
      assert.ok(server.peakConnections >= 1 && server.peakConnections <= 2, `${server.peakConnections} connections at once`);
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('a message for more than one recipient, or with a line break in the address, is not sent', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: 'console', from: sender, logger, output });
    try {
      for (const to of [`${recipient}, attacker@example.net`, `${recipient}\r\nBcc: attacker@example.net`, 'not an address', '']) mailer.send(sampleMail({ to }));
      await mailer.idle();
      assert.equal(printed, '');
      assert.equal(logger.at('error').length, 4);
      assertNothingPrivateLogged(logger, [...privateParts, 'attacker']);
    } finally {
      await mailer.close();
    }
  });

  test('after close, send neither throws nor delivers', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const logger = new RecordingMailLogger();
    const mailer = new Mailer({ url: 'console', from: sender, logger, output });
    await mailer.close();
    mailer.send(sampleMail());
    await mailer.idle();
    assert.equal(printed, '');
    assert.equal(logger.at('error')[0]?.message, 'mail not sent: the mailer is closed');
  });

  test('a logger that throws does not stop delivery', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const broken = () => {
      throw new Error('log sink down');
    };
    const mailer = new Mailer({ url: 'console', from: sender, output, logger: { debug: broken, info: broken, warn: broken, error: broken } });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.ok(printed.includes(resetLink));
    } finally {
      await mailer.close();
    }
  });

  test('a bad EMAIL_URL or retry setting stops construction with config_invalid', () => {
    const configInvalid = (error: unknown) => error instanceof TesseraError && error.code === 'config_invalid';
    assert.throws(() => new Mailer({ url: 'smtp://user@host', from: sender }), configInvalid);
    assert.throws(() => new Mailer({ url: 'console', from: sender, attempts: 0 }), configInvalid);
    assert.throws(() => new Mailer({ url: 'console', from: sender, retryDelaysMs: [] }), configInvalid);
    assert.throws(() => new Mailer({ url: 'console', from: sender, retryDelaysMs: [-1] }), configInvalid);
  });
});
