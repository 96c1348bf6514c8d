// A client that drops a half-sent body is not an outage: no "database unavailable", no 503 path,
// and the site goes on serving.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser } from './helpers.ts';

let site: RunningSite;

before(async () => {
  site = await startSite({ env: { LOG_LEVEL: 'info' } });
});

after(async () => {
  await site.stop();
});

/** Sends the head of a POST and part of its body, then hangs up. */
async function abortMidBody(path: string, cookie: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(site.port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${site.port}\r\nCookie: ${cookie}\r\n` +
          'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername=half',
      );
      // Long enough for the server to be reading the body when the client vanishes.
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
    socket.on('error', reject);
  });
}

test('a client that hangs up halfway through a form is logged as nothing worse than that, and the site serves on', async () => {
  const { client } = await newUser(site.url);
  const cookie = [...client.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  for (const path of ['/accounts/login', '/accounts/update', '/articles']) await abortMidBody(path, cookie);
  // The server notices the hang-up on its own time; a page served afterwards is after it.
  for (let i = 0; i < 20 && !/aborted|ECONNRESET/i.test(site.output()); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.doesNotMatch(site.output(), /database unavailable/);
  assert.doesNotMatch(site.output(), /"level":50/, 'no error was logged');
  assert.equal((await client.get('/accounts/update')).status, 200);
  assert.equal((await new Client(site.url).get('/healthz')).status, 200);
});
