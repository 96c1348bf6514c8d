// What the generator knows about the site it attacks: accounts, sessions and tokens made through the real forms first.
import assert from 'node:assert/strict';
import { Client, csrfToken } from '../../../test/support/client.ts';
import type { RunningSite } from '../../../test/support/site.ts';
import { withDatabase } from './database-checks.ts';

export const PASSWORD = 'Amber-Harbour-Quill-47';

export interface CsrfPair {
  secret: string;
  token: string;
}

export interface Actor {
  username: string;
  userId: number;
  session: string;
  csrf: CsrfPair;
  articles: number[];
}

export interface Fixture {
  port: number;
  origin: string;
  tag: string;
  actors: Actor[];
  loginUsers: string[];
  /** the pair the valid requests use; hostile ones may use it too (a token is never spent) */
  anon: CsrfPair;
  /** another visitor's pair: its token is wrong for every other cookie */
  stranger: CsrfPair;
  staticPaths: string[];
}

export async function setUpFixture(site: RunningSite, tag: string): Promise<Fixture> {
  const newClient = () => new Client(site.url);
  const pairOf = async (client: Client, page: string): Promise<CsrfPair> => {
    const response = await client.get(page);
    assert.equal(response.status, 200, `${page} answered ${response.status}`);
    const secret = client.cookie('csrftoken');
    assert.ok(secret, `${page} set no csrftoken`);
    return { secret, token: csrfToken(response.body) };
  };
  const signUp = async (client: Client, username: string) => {
    const response = await client.submit('/accounts/signup', '/accounts/signup', { username, email: '', password1: PASSWORD, password2: PASSWORD });
    assert.equal(response.status, 303, `setting up: the sign-up of ${username} answered ${response.status}`);
  };
  const userId = (username: string) => withDatabase(site.dataDir, (database) => (database.prepare('select id from users where username = ?').get(username) as { id: number }).id);

  const actors: Actor[] = [];
  for (let index = 0; index < 4; index += 1) {
    const client = newClient();
    const username = `fz${tag}actor${index}`;
    await signUp(client, username);
    const csrf = await pairOf(client, '/articles/new');
    const articles: number[] = [];
    for (let article = 0; article < 3; article += 1) {
      const response = await client.request('POST', '/articles', { form: { _csrf: csrf.token, title: `Seed ${index}.${article}`, content: 'seed' } });
      assert.equal(response.status, 303);
      articles.push(Number(/^\/articles\/([0-9]+)$/.exec(response.location ?? '')?.[1]));
    }
    actors.push({ username, userId: userId(username), session: client.cookie('sessionid')!, csrf, articles });
  }
  const loginUsers: string[] = [];
  // The last one is 150 characters outside the BMP: 300 UTF-16 units, still a valid username.
  for (const username of [`fz${tag}login0`, `fz${tag}login1`, `Fz${tag}Login2`, `${tag}${'𐐀'.repeat(150 - tag.length)}`]) {
    const client = newClient();
    await signUp(client, username);
    assert.equal((await client.post('/accounts/logout')).status, 303);
    loginUsers.push(username);
  }
  const anonymous = newClient();
  const anon = await pairOf(anonymous, '/accounts/signup');
  const stranger = await pairOf(newClient(), '/accounts/login');
  const home = await anonymous.get('/');
  const staticPaths = [...home.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((match) => match[1]!);
  return { port: site.port, origin: site.url, tag, actors, loginUsers, anon, stranger, staticPaths: staticPaths.length > 0 ? staticPaths : ['/static/site.css'] };
}
