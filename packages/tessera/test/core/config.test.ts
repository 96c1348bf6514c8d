// Configuration: the defaults of CONTRACT.md, production's demand for a strong SECRET_KEY, clear errors; and the generated key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { loadConfig } from '../../src/core/config.ts';
import { TesseraError } from '../../src/core/errors.ts';
import { resolveSecretKey } from '../../src/core/secret-key.ts';

const strongKey = randomBytes(48).toString('base64');

/** Asserts that loading `environment` throws a config_invalid TesseraError whose message matches. */
function assertConfigError(environment: NodeJS.ProcessEnv, message: RegExp): void {
  assert.throws(
    () => loadConfig(environment),
    (error: unknown) => {
      assert.ok(error instanceof TesseraError, `not a TesseraError: ${String(error)}`);
      assert.equal(error.code, 'config_invalid');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('loadConfig defaults (CONTRACT.md)', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.webConcurrency, 1);
    assert.equal(config.databaseUrl, 'sqlite:data/db.sqlite3');
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.sessionStore, 'db');
    assert.equal(config.loginFailuresPerAccount, 10);
    assert.equal(config.loginFailuresPerAddress, 100);
    assert.equal(config.loginFailureWindowSeconds, 15 * 60);
    assert.equal(config.trustProxy, false);
    assert.equal(config.production, false);
    assert.equal(config.secretKey, undefined);
  });

  test('sessions last 14 days (1209600 seconds) by default, as Django\'s SESSION_COOKIE_AGE', () => {
    assert.equal(loadConfig({}).session.maxAgeSeconds, 1_209_600);
  });

  test('the environment overrides each default', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      LOGIN_FAILURES_PER_ACCOUNT: '5',
      LOGIN_FAILURES_PER_ADDRESS: '50',
      TRUST_PROXY: '1',
      SESSION_STORE: 'db',
      WEB_CONCURRENCY: '4',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/app');
    assert.equal(config.loginFailuresPerAccount, 5);
    assert.equal(config.loginFailuresPerAddress, 50);
    assert.equal(config.trustProxy, true);
    assert.equal(config.webConcurrency, 4);
  });

  test('an empty numeric variable means unset: PORT= is 3000, not a random port', () => {
    const config = loadConfig({ PORT: '', WEB_CONCURRENCY: ' ', LOGIN_FAILURES_PER_ACCOUNT: '', LOGIN_FAILURES_PER_ADDRESS: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.webConcurrency, 1);
    assert.equal(config.loginFailuresPerAccount, 10);
    assert.equal(config.loginFailuresPerAddress, 100);
  });

  test('PORT=0 is still accepted when asked for (any free port)', () => {
    assert.equal(loadConfig({ PORT: '0' }).port, 0);
  });

  test('the default database lives in DATA_DIR', () => {
    assert.equal(loadConfig({ DATA_DIR: '/var/lib/tessera' }).databaseUrl, 'sqlite:/var/lib/tessera/db.sqlite3');
  });

  for (const [value, expected] of [['true', true], ['on', true], ['yes', true], ['0', false], ['false', false], ['off', false], ['', false]] as const) {
    test(`TRUST_PROXY=${JSON.stringify(value)} means ${expected ? 'on' : 'off'}`, () => {
      assert.equal(loadConfig({ TRUST_PROXY: value }).trustProxy, expected);
    });
  }
});

describe('loadConfig in production', () => {
  test('NODE_ENV=production without SECRET_KEY throws', () => {
    assertConfigError({ NODE_ENV: 'production' }, /SECRET_KEY is required/);
    assertConfigError({ NODE_ENV: 'production', SECRET_KEY: '' }, /SECRET_KEY is required/);
  });

  for (const [name, weak] of [
    ['too short', 'short-secret'],
    ['long but one repeated character', 'a'.repeat(64)],
    ['long but a repeated word', 'password'.repeat(8)],
    ['long but a repeated pattern', 'abc123'.repeat(11)],
    ['31 random characters', randomBytes(48).toString('base64').slice(0, 31)],
  ] as const) {
    test(`NODE_ENV=production with a weak SECRET_KEY (${name}) throws`, () => {
      assertConfigError({ NODE_ENV: 'production', SECRET_KEY: weak }, /SECRET_KEY is too weak/);
    });
  }

  test('NODE_ENV=production with a strong SECRET_KEY passes', () => {
    const config = loadConfig({ NODE_ENV: 'production', SECRET_KEY: strongKey });
    assert.equal(config.production, true);
    assert.equal(config.secretKey, strongKey);
  });

  test('outside production a SECRET_KEY, when given, must still be 32 characters or more', () => {
    assertConfigError({ SECRET_KEY: 'short' }, /SECRET_KEY must be at least 32 characters/);
  });
});

describe('loadConfig rejects bad values with a clear message', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['PORT=abc', { PORT: 'abc' }, /PORT/],
    ['PORT=70000', { PORT: '70000' }, /PORT/],
    ['PORT=-1', { PORT: '-1' }, /PORT/],
    ['PORT=80.5', { PORT: '80.5' }, /PORT/],
    ['SESSION_STORE=nope', { SESSION_STORE: 'nope' }, /SESSION_STORE/],
    ['LOGIN_FAILURES_PER_ACCOUNT=0', { LOGIN_FAILURES_PER_ACCOUNT: '0' }, /LOGIN_FAILURES_PER_ACCOUNT/],
    ['LOGIN_FAILURES_PER_ADDRESS=many', { LOGIN_FAILURES_PER_ADDRESS: 'many' }, /LOGIN_FAILURES_PER_ADDRESS/],
    ['TRUST_PROXY=maybe', { TRUST_PROXY: 'maybe' }, /TRUST_PROXY/],
    ['REDIS_URL=not a url', { REDIS_URL: 'not a url' }, /REDIS_URL/],
    ['SESSION_STORE=redis without REDIS_URL', { SESSION_STORE: 'redis' }, /REDIS_URL/],
  ];
  for (const [name, environment, message] of cases) {
    test(`${name} throws a TesseraError naming the setting`, () => {
      assertConfigError(environment, message);
    });
  }
});

describe('resolveSecretKey', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-secret-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('without SECRET_KEY, a key is generated once into DATA_DIR/secret_key and is the same on the second call', () => {
    const dataDir = join(dir, 'generated', 'data');
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSecretKey(config);
    const path = join(dataDir, 'secret_key');
    assert.ok(existsSync(path));
    assert.equal(readFileSync(path, 'utf8').trim(), first);
    assert.ok(first.length >= 32, `a key of ${first.length} characters`);
    // A generated key must be one production would accept.
    assert.doesNotThrow(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: first }));
    assert.equal(resolveSecretKey(loadConfig({ DATA_DIR: dataDir })), first);
  });

  test('the generated key file is readable by its owner only', () => {
    const dataDir = join(dir, 'private');
    resolveSecretKey(loadConfig({ DATA_DIR: dataDir }));
    assert.equal(statSync(join(dataDir, 'secret_key')).mode & 0o777, 0o600);
  });

  test('two data folders get two different keys', () => {
    const a = resolveSecretKey(loadConfig({ DATA_DIR: join(dir, 'a') }));
    const b = resolveSecretKey(loadConfig({ DATA_DIR: join(dir, 'b') }));
    assert.notEqual(a, b);
  });

  test('an existing key file is used as it is', async () => {
    const dataDir = join(dir, 'existing');
    const kept = randomBytes(48).toString('base64url');
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'secret_key'), `${kept}\n`);
    assert.equal(resolveSecretKey(loadConfig({ DATA_DIR: dataDir })), kept);
  });

  test('SECRET_KEY from the environment wins and no file is written', () => {
    const dataDir = join(dir, 'from-env');
    assert.equal(resolveSecretKey(loadConfig({ DATA_DIR: dataDir, SECRET_KEY: strongKey })), strongKey);
    assert.equal(existsSync(join(dataDir, 'secret_key')), false);
  });
});
