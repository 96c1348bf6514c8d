// Mail over SMTP to a real server on 127.0.0.1: the login, the message as a client would read it,
// and TLS by STARTTLS and from the start.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Mailer } from '../../../src/core/mail/mailer.ts';
import { skipOrFail } from '../../../../../test/support/requirements.ts';
import { RecordingMailLogger } from './recording-mail-logger.ts';
import { recipient, resetLink, sampleMail } from './sample-mail.ts';
import { selfSignedCertificate, startSmtpServer, type ReceivedMail, type TestSmtpServer } from './smtp-test-server.ts';

const login = { user: 'mailer@example.com', pass: 'p@ss:w/rd 한' };
const sender = 'Tessera <no-reply@example.com>';
const credentials = `${encodeURIComponent(login.user)}:${encodeURIComponent(login.pass)}`;

function assertIsSampleMail(mail: ReceivedMail): void {
  const expected = sampleMail();
  const { parsed } = mail;
  assert.deepEqual(mail.envelopeTo, [recipient]);
  assert.equal(parsed.from?.value[0]?.address, 'no-reply@example.com');
  assert.equal(parsed.from?.value[0]?.name, 'Tessera');
  assert.ok(parsed.to !== undefined && !Array.isArray(parsed.to));
  assert.deepEqual(
    parsed.to.value.map((address) => address.address),
    [recipient],
  );
  assert.equal(parsed.subject, expected.subject);
  assert.equal(parsed.text, expected.text);
  assert.equal(parsed.html, expected.html);
  assert.ok(parsed.text?.includes(resetLink), 'the link arrives whole');
  assert.match(String(parsed.headers.get('content-type') && (parsed.headers.get('content-type') as { value: string }).value), /^multipart\/alternative$/);
  assert.match(parsed.messageId ?? '', /^<[0-9a-f]{32}@example\.com>$/);
  assert.ok(parsed.date instanceof Date && Math.abs(parsed.date.getTime() - Date.now()) < 60_000, 'a Date header of now');
}

describe('SMTP delivery', () => {
  test('plain SMTP logs in with the percent-decoded user and password and delivers the whole message', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ login });
    const mailer = new Mailer({ url: `smtp://${credentials}@127.0.0.1:${server.port}`, from: sender, retryDelaysMs: [10] });
    try {
      assert.equal(mailer.transportKind, 'smtp');
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(server.received.length, 1);
      const [mail] = server.received;
      assert.ok(mail !== undefined);
      assert.equal(mail.user, login.user);
      assert.equal(mail.secure, false);
      assertIsSampleMail(mail);
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  test('a wrong password is refused once, not retried, and never logged', { timeout: 20_000 }, async () => {
    const server = await startSmtpServer({ login });
    const logger = new RecordingMailLogger();
    const wrong = 'not-the-Passw0rd';
    const mailer = new Mailer({ url: `smtp://${encodeURIComponent(login.user)}:${wrong}@127.0.0.1:${server.port}`, from: sender, logger, retryDelaysMs: [10] });
    try {
      mailer.send(sampleMail());
      await mailer.idle();
      assert.equal(server.received.length, 0);
      const [failure, ...more] = logger.at('error');
      assert.deepEqual(more, []);
      assert.equal(failure?.message, 'mail not delivered');
      assert.deepEqual({ ...failure?.object, messageId: undefined }, { messageId: undefined, transport: 'smtp', attempts: 1, permanent: true, code: 'EAUTH', responseCode: 535 });
      assert.ok(!JSON.stringify(logger.lines).includes(wrong));
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  describe('over TLS', () => {
    let certificate: { key: string; cert: string } | null = null;
    const servers: TestSmtpServer[] = [];

    before(() => {
      certificate = selfSignedCertificate();
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
    });

    async function tlsServer(implicitTls: boolean): Promise<TestSmtpServer | null> {
      if (certificate === null) return null;
      const server = await startSmtpServer({ login, certificate, implicitTls });
      servers.push(server);
      return server;
    }

    test('smtp:// upgrades with STARTTLS when the server offers it, checking the certificate', { timeout: 20_000 }, async (t) => {
      const server = await tlsServer(false);
      if (server === null || certificate === null) return skipOrFail(t, 'openssl is not installed at /usr/bin/openssl: STARTTLS not tested');
      const mailer = new Mailer({ url: `smtp://${credentials}@127.0.0.1:${server.port}`, from: sender, tls: { ca: certificate.cert } });
      try {
        mailer.send(sampleMail());
        await mailer.idle();
        assert.equal(server.received.length, 1);
        assert.equal(server.received[0]?.secure, true);
        assertIsSampleMail(server.received[0] as ReceivedMail);
      } finally {
        await mailer.close();
      }
    });

    test('smtp:// does not fall back to plain text when the offered certificate is not trusted', { timeout: 20_000 }, async (t) => {
      const server = await tlsServer(false);
      if (server === null) return skipOrFail(t, 'openssl is not installed at /usr/bin/openssl: certificate checking not tested');
      const logger = new RecordingMailLogger();
      const mailer = new Mailer({ url: `smtp://${credentials}@127.0.0.1:${server.port}`, from: sender, logger, attempts: 1 });
      try {
        mailer.send(sampleMail());
        await mailer.idle();
        assert.equal(server.received.length, 0);
        assert.equal(server.dataAttempts, 0);
        assert.equal(logger.at('error')[0]?.message, 'mail not delivered');
      } finally {
        await mailer.close();
      }
    });

    test('smtps:// speaks TLS from the first byte', { timeout: 20_000 }, async (t) => {
      const server = await tlsServer(true);
      if (server === null || certificate === null) return skipOrFail(t, 'openssl is not installed at /usr/bin/openssl: smtps:// not tested');
      const mailer = new Mailer({ url: `smtps://${credentials}@127.0.0.1:${server.port}`, from: sender, tls: { ca: certificate.cert } });
      try {
        mailer.send(sampleMail());
        await mailer.idle();
        assert.equal(server.received.length, 1);
        assert.equal(server.received[0]?.secure, true);
        assertIsSampleMail(server.received[0] as ReceivedMail);
      } finally {
        await mailer.close();
      }
    });
  });
});
