// WEB_CONCURRENCY=2 without Redis: the processes share all state through the database, so a
// change made in one must show at once in the pages the other serves, whatever it cached.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { answeringPids, startSite, type RunningSite } from '../../../test/support/site.ts';
import { createArticle, listedIds, newUser } from './board-support.ts';

let site: RunningSite;
let author: Client;

before(async () => {
  // At debug level every response is logged with its process's pid: both must have answered.
  site = await startSite({ env: { WEB_CONCURRENCY: '2', LOG_LEVEL: 'debug' } });
  ({ client: author } = await newUser(site.url, 'clustered'));
});

after(async () => {
  await site.stop();
});

/** A GET on a connection of its own, so that the cluster hands it to either process in turn. */
function freshGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(site.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Ten anonymous readers on ten connections: both processes fill their caches. */
async function readers(path: string): Promise<number[][]> {
  const seen: number[][] = [];
  for (let index = 0; index < 10; index += 1) {
    const response = await freshGet(path);
    assert.equal(response.status, 200);
    seen.push(listedIds(response.body));
  }
  return seen;
}

test('a new article shows at once on the board and the home page, whichever process answers', async () => {
  await createArticle(author, 'Already there');
  await readers('/articles');
  await readers('/');
  const id = await createArticle(author, 'New in one process');
  for (const path of ['/articles', '/']) {
    for (const ids of await readers(path)) assert.equal(ids[0], id, `${path} was served from a stale cache`);
  }
});

test('a deleted article leaves the board at once, whichever process answers', async () => {
  const id = await createArticle(author, 'Deleted in one process');
  for (const ids of await readers('/articles')) assert.ok(ids.includes(id));
  assert.equal((await author.submit(`/articles/${id}`, `/articles/${id}/delete`, {})).status, 303);
  for (const ids of await readers('/articles')) assert.ok(!ids.includes(id), '/articles was served from a stale cache');
});

test('an edited title shows at once, whichever process answers', async () => {
  const id = await createArticle(author, 'Title in one process');
  await readers('/articles');
  assert.equal((await author.submit(`/articles/${id}/edit`, `/articles/${id}/edit`, { title: 'Title edited in one process', content: '' })).status, 303);
  for (let index = 0; index < 10; index += 1) {
    const page = await freshGet('/articles');
    assert.ok(page.body.includes('Title edited in one process') && !page.body.includes('Title in one process<'), '/articles was served from a stale cache');
  }
});

test('an unchanged page has one ETag, whichever process answers', async () => {
  const { client } = await newUser(site.url, 'etag');
  const etags = new Set<string>();
  // Fresh connections, so the kernel spreads them over both workers.
  for (let i = 0; i < 16; i += 1) {
    const response = await client.get('/accounts/update', { connection: 'close' });
    etags.add(response.headers.get('etag') ?? '');
  }
  assert.equal(etags.size, 1, [...etags].join(' '));
});

test('both processes answered the tests above', () => {
  assert.equal(answeringPids(site).size, 2, `answered by ${[...answeringPids(site)].join(', ')}`);
});
