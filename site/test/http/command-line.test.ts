// The `tessera` command line with the site's config module: help on every command, exit codes,
// passwords, and a user's sessions from the shell.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '../../../test/support/client.ts';
import { binary, runCli, siteConfig, startSite, type RunningSite } from '../../../test/support/site.ts';
import { newUser, secondSession } from './helpers.ts';

let site: RunningSite;
const env = () => ({ DATA_DIR: site.dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn' });

before(async () => {
  site = await startSite();
});

after(async () => {
  await site.stop();
});

describe('help', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    test(`tessera ${args.join(' ')} prints the commands on standard output and exits 0`, async () => {
      const result = await runCli(args, env());
      assert.equal(result.code, 0, result.stderr);
      for (const name of ['start', 'migrate', 'createsuperuser', 'changepassword', 'sessions', 'logout-everywhere', 'clearsessions']) assert.match(result.stdout, new RegExp(`\\n  ${name} `));
    });
  }

  for (const name of ['createsuperuser', 'changepassword', 'sessions', 'logout-everywhere', 'clearsessions', 'migrate', 'start', 'addtogroup', 'grant']) {
    test(`tessera ${name} --help names its options and exits 0`, async () => {
      const result = await runCli([name, '--help'], env());
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^usage: tessera ${name}`));
      assert.match(result.stdout, /--config PATH/);
    });
  }

  test('an unknown command says which and exits 2', async () => {
    const result = await runCli(['frobnicate'], env());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command "frobnicate"/);
  });

  test('an unknown option is a usage error: exit 2 with the command\'s options', async () => {
    const result = await runCli(['createsuperuser', '--usrname', 'x'], env());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usrname/);
    assert.match(result.stderr, /usage: tessera createsuperuser/);
  });
});

describe('passwords from the shell', () => {
  test('createsuperuser with no password at all says so, and creates nobody', async () => {
    const result = await runCli(['createsuperuser', '--username', 'nopass'], env(), '');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no password given/);
    assert.equal((await runCli(['sessions', 'nopass'], env())).code, 1, 'no such user');
  });

  test('at a terminal the password is asked twice with nothing echoed, and asked again after a mismatch', async () => {
    // `script` gives the command a real terminal; what is typed goes to it through its stdin.
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${binary}" createsuperuser --username ttyroot --config "${siteConfig}"`, '/dev/null'], {
      env: { ...process.env, ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const typeAt = async (prompt: RegExp, text: string) => {
      for (let i = 0; i < 200 && !prompt.test(output); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      child.stdin.write(`${text}\r`);
    };
    await typeAt(/Password: /, 'Quiet-Harbour-Lamp-77');
    await typeAt(/Password \(again\): /, 'Quiet-Harbour-Lamp-78');
    await typeAt(/didn't match\.[\s\S]*Password: /, 'Quiet-Harbour-Lamp-77');
    await typeAt(/didn't match\.[\s\S]*Password \(again\): /, 'Quiet-Harbour-Lamp-77');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end();
    assert.equal(code, 0, output);
    assert.match(output, /superuser ttyroot created/);
    assert.doesNotMatch(output, /Quiet-Harbour-Lamp/, 'the password was echoed');
    const login = await new Client(site.url).submit('/accounts/login', '/accounts/login', { username: 'ttyroot', password: 'Quiet-Harbour-Lamp-77' });
    assert.equal(login.status, 303);
  });

  test('a password the validators refuse is refused with their words', async () => {
    const result = await runCli(['createsuperuser', '--username', 'weakling'], env(), '1234\n');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /too short/);
  });

  test('changepassword ends every session of the user', async () => {
    const { client, username } = await newUser(site.url, 'chpw');
    const result = await runCli(['changepassword', '--username', username], { ...env(), TESSERA_PASSWORD: 'Brand-New-Harbour-51' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await client.get('/accounts/update')).status, 302);
  });
});

describe('sessions from the shell', () => {
  test('sessions USERNAME lists device, address, created and last seen; logout-everywhere ends them all', async () => {
    const { client, username } = await newUser(site.url, 'shell');
    const other = await secondSession(site.url, username);
    const listed = await runCli(['sessions', username], env());
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines[0], 'id\taddress\tcreated\tlast seen\tdevice');
    assert.equal(lines.length, 3, listed.stdout);
    for (const line of lines.slice(1)) assert.match(line, /^[A-Za-z0-9_-]+\t127\.0\.0\.1\t\d{4}-\d\d-\d\dT[\d:]+Z\t\d{4}-\d\d-\d\dT[\d:]+Z\t(tessera-test-client|Mozilla\/5\.0 .*Firefox\/128\.0)$/);
    const ended = await runCli(['logout-everywhere', username], env());
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stdout, new RegExp(`ended 2 sessions of ${username}`));
    for (const browser of [client, other]) assert.equal((await browser.get('/accounts/update')).status, 302);
    assert.equal((await new Client(site.url).get('/')).status, 200);
  });

  test('help COMMAND shows that command\'s options', async () => {
    const result = await runCli(['help', 'sessions'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^usage: tessera sessions USERNAME/);
  });

  test('sessions without a username is a usage error; of an unknown user, an error', async () => {
    assert.equal((await runCli(['sessions'], env())).code, 2);
    const unknown = await runCli(['sessions', 'nobody-here'], env());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user nobody-here/);
  });
});

describe('starting and stopping', () => {
  test('start says once where it serves, and says when it stopped on SIGTERM', async () => {
    for (const processes of ['1', '2']) {
      const started = await startSite({ env: { WEB_CONCURRENCY: processes } });
      await started.stop();
      const lines = started.output().split('\n').filter((line) => line.startsWith('tessera: '));
      assert.equal(lines.filter((line) => line.startsWith('tessera: serving on http://127.0.0.1:')).length, 1, started.output());
      if (processes === '2') assert.match(lines[0]!, /in 2 processes/);
      assert.ok(lines.includes('tessera: stopped'), started.output());
    }
  });

  test('in development the server prints one readable line a request, as runserver does; in other modes none', async () => {
    const development = await startSite({ env: { NODE_ENV: 'development' } });
    await new Client(development.url).get('/accounts/login?next=/articles');
    await development.stop();
    assert.match(development.output(), /^\[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/accounts\/login\?next=\/articles" 200 \d+ ms$/m);
    assert.doesNotMatch(site.output(), /\] "GET /, 'NODE_ENV=test prints no request lines');
  });

  test('a SQLite path in a folder that does not exist is an error naming DATABASE_URL, and no folder is made', async () => {
    const result = await runCli(['migrate'], { ...env(), DATABASE_URL: `sqlite:${site.dataDir}/no/such/folder/db.sqlite3` });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DATABASE_URL names a SQLite file in .*no\/such\/folder, a folder that does not exist/);
    assert.equal(existsSync(`${site.dataDir}/no`), false);
  });

  test('a PostgreSQL server that cannot be reached is named by DATABASE_URL, its password hidden', async () => {
    const result = await runCli(['migrate'], { ...env(), DATABASE_URL: 'postgres://someone:hunter2@127.0.0.1:1/nowhere' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot reach the database DATABASE_URL names \(postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere\)/);
    assert.doesNotMatch(result.stderr, /hunter2/);
  });
});

describe('check --deploy', () => {
  test('a development configuration fails the checklist: each finding has an id, a level and a fix', async () => {
    const result = await runCli(['check', '--deploy'], { ...env(), LOG_LEVEL: 'debug' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^tessera\.E001 \(error\) NODE_ENV is not production/m);
    assert.match(result.stdout, /\n    fix: set NODE_ENV=production/);
    assert.match(result.stdout, /tessera\.W009 \(warning\) pages carry no Strict-Transport-Security/, 'the site sends HSTS only in production');
    assert.match(result.stdout, /tessera\.W012 \(warning\) EMAIL_URL is console/);
    assert.match(result.stdout, /tessera\.E013 \(error\) SITE_URL is not set/);
  });

  test('a production configuration behind a proxy with a strong key passes, bar what it cannot know', async () => {
    const strong = 'Jx7pQ2vL9sT4wK8mN3rB6yF1hD5gC0zA-e2u8i4o6p1a3s5d7f9g2h4j6k8l0q';
    const result = await runCli(['check', '--deploy'], { ...env(), NODE_ENV: 'production', SECRET_KEY: strong, TRUST_PROXY: '1', SITE_URL: 'https://example.com', EMAIL_URL: 'smtp://mailer:secret@127.0.0.1:2525' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /\(error\)/);
    assert.doesNotMatch(result.stdout, /E001|W003|W004|W009|W010|W011|W012|E012|E013/);
  });

  test('debug logging in production is an error', async () => {
    const strong = 'Jx7pQ2vL9sT4wK8mN3rB6yF1hD5gC0zA-e2u8i4o6p1a3s5d7f9g2h4j6k8l0q';
    const result = await runCli(['check', '--deploy'], { ...env(), NODE_ENV: 'production', SECRET_KEY: strong, TRUST_PROXY: '1', SITE_URL: 'https://example.com', LOG_LEVEL: 'debug' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /tessera\.E007 \(error\) LOG_LEVEL=debug in production/);
    // Printed mails in production are live reset links in whatever keeps the output.
    assert.match(result.stdout, /tessera\.E012 \(error\) EMAIL_URL is console/);
  });
});
