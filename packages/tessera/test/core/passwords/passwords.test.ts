// The facade: every failure costs a hash, rehash only for the right password, and no more than N hashes at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Argon2idHasher } from '../../../src/core/passwords/argon2id.ts';
import { DjangoPbkdf2Sha256Hasher, djangoHashers } from '../../../src/core/passwords/django.ts';
import type { PasswordHasher } from '../../../src/core/passwords/password-hasher.ts';
import { Passwords, defaultPasswords } from '../../../src/core/passwords/passwords.ts';

/** A hasher that counts its work and can be slowed down, to watch the facade from outside. */
class FakeHasher implements PasswordHasher {
  hashes = 0;
  verifies = 0;
  running = 0;
  maxRunning = 0;
  readonly started: string[] = [];
  stale = false;
  fail = false;

  constructor(
    readonly algorithm: string,
    private readonly delayMs = 0,
  ) {}

  handles(encoded: string): boolean {
    return encoded.startsWith(`${this.algorithm}$`);
  }

  async #work<T>(label: string, result: () => T): Promise<T> {
    this.started.push(label);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.fail) throw new Error('hasher broke');
      return result();
    } finally {
      this.running -= 1;
    }
  }

  hash(password: string): Promise<string> {
    this.hashes += 1;
    return this.#work(password, () => `${this.algorithm}$${password}`);
  }

  verify(password: string, encoded: string): Promise<boolean> {
    this.verifies += 1;
    return this.#work(password, () => encoded === `${this.algorithm}$${password}`);
  }

  needsRehash(_encoded: string): boolean {
    return this.stale;
  }
}

const FAILED = { ok: false, needsRehash: false };

test('unusable, null, empty and unknown-algorithm encodings fail yet cost one preferred hash', async () => {
  const preferred = new FakeHasher('fake');
  const other = new FakeHasher('old');
  const passwords = new Passwords({ preferred, others: [other] });
  const encodings = [passwords.makeUnusable(), '!', null, '', 'md5$abc$def', 'fake', 'unknown$fake$pw'];
  for (const [index, encoded] of encodings.entries()) {
    assert.deepEqual(await passwords.check('pw', encoded), FAILED, String(encoded));
    assert.equal(preferred.hashes, index + 1, `hashes after ${String(encoded)}`);
  }
  assert.equal(preferred.verifies + other.verifies, 0);
});

test('a malformed Django encoding costs a preferred hash like an unknown one', async () => {
  const preferred = new FakeHasher('fake');
  const passwords = new Passwords({ preferred, others: djangoHashers() });
  const broken = ['pbkdf2_sha256$abc$salt$hash', 'scrypt$3$salt$8$1$hash', 'argon2$argon2id$v=19$m=1,t=1$x$y'];
  for (const encoded of broken) {
    assert.deepEqual(await passwords.check('pw', encoded), FAILED, encoded);
  }
  assert.equal(preferred.hashes, broken.length);
});

test('hashForTiming costs exactly one preferred hash', async () => {
  const preferred = new FakeHasher('fake');
  const other = new FakeHasher('old');
  const passwords = new Passwords({ preferred, others: [other] });
  await passwords.hashForTiming('whatever');
  assert.deepEqual([preferred.hashes, preferred.verifies, other.hashes], [1, 0, 0]);
});

test('a check goes to the hasher that handles the encoding, and only a correct password may ask for a rehash', async () => {
  const preferred = new FakeHasher('fake');
  const other = new FakeHasher('old');
  const passwords = new Passwords({ preferred, others: [other] });
  assert.deepEqual(await passwords.check('pw', 'fake$pw'), { ok: true, needsRehash: false });
  preferred.stale = true;
  assert.deepEqual(await passwords.check('pw', 'fake$pw'), { ok: true, needsRehash: true });
  assert.deepEqual(await passwords.check('wrong', 'fake$pw'), FAILED);
  // Any hasher but the preferred one means a rehash, whatever it thinks of its own hash.
  assert.deepEqual(await passwords.check('pw', 'old$pw'), { ok: true, needsRehash: true });
  assert.deepEqual(await passwords.check('wrong', 'old$pw'), FAILED);
  assert.deepEqual([preferred.verifies, other.verifies, preferred.hashes], [3, 2, 0]);
});

test('the real defaults: argon2id hashes verify and need no rehash; wrong passwords fail', async () => {
  const passwords = defaultPasswords();
  const encoded = await passwords.hash('s3cret!');
  assert.match(encoded, /^\$argon2id\$v=19\$m=19456,/);
  assert.equal(passwords.isUsable(encoded), true);
  assert.deepEqual(await passwords.check('s3cret!', encoded), { ok: true, needsRehash: false });
  assert.deepEqual(await passwords.check('s3cret', encoded), FAILED);
});

test('an argon2id hash with older parameters verifies and asks for a rehash', async () => {
  const old = await new Argon2idHasher({ memoryCost: 8192, timeCost: 1 }).hash('s3cret!');
  assert.deepEqual(await defaultPasswords().check('s3cret!', old), { ok: true, needsRehash: true });
});

test('a Django PBKDF2 hash made here verifies through the defaults and asks for a rehash', async () => {
  const encoded = await new DjangoPbkdf2Sha256Hasher({ iterations: 1000 }).hash('s3cret!');
  const passwords = defaultPasswords();
  assert.deepEqual(await passwords.check('s3cret!', encoded), { ok: true, needsRehash: true });
  assert.deepEqual(await passwords.check('s3cret?', encoded), FAILED);
});

test('the empty password is a password: its hash verifies "" and not " "', async () => {
  const passwords = defaultPasswords();
  const encoded = await passwords.hash('');
  assert.equal(passwords.isUsable(encoded), true);
  assert.deepEqual(await passwords.check('', encoded), { ok: true, needsRehash: false });
  assert.deepEqual(await passwords.check(' ', encoded), FAILED);
});

test('malformed and unknown encodings fail through the real defaults without throwing', async () => {
  const passwords = defaultPasswords();
  for (const encoded of ['$argon2id$', '$argon2id$garbage', '$argon2id$v=19$m=19456,t=2,p=1$$', 'md5$salt$hash', 'bcrypt$$2b$12$x', '$', '$$$$']) {
    assert.deepEqual(await passwords.check('pw', encoded), FAILED, encoded);
  }
});

test('makeUnusable gives "!" and 40 alphanumerics, new each time, that never verify', async () => {
  const passwords = defaultPasswords();
  const first = passwords.makeUnusable();
  const second = passwords.makeUnusable();
  assert.match(first, /^![A-Za-z0-9]{40}$/);
  assert.notEqual(first, second);
  assert.equal(passwords.isUsable(first), false);
  assert.deepEqual(await passwords.check(first, first), FAILED);
  assert.deepEqual(await passwords.check(first.slice(1), first), FAILED);
});

test('isUsable is false only for unusable markers, null and ""', async () => {
  const passwords = new Passwords({ preferred: new FakeHasher('fake') });
  assert.equal(passwords.isUsable('fake$pw'), true);
  assert.equal(passwords.isUsable('md5$whatever'), true);
  assert.equal(passwords.isUsable('!'), false);
  assert.equal(passwords.isUsable('!abc'), false);
  assert.equal(passwords.isUsable(null), false);
  assert.equal(passwords.isUsable(''), false);
});

test('no more than two hashes run at once by default, and the rest are served in arrival order', async () => {
  const preferred = new FakeHasher('fake', 20);
  const passwords = new Passwords({ preferred });
  const labels = Array.from({ length: 8 }, (_, i) => `pw${i}`);
  const results = await Promise.all(
    labels.map((label, i) => (i % 2 === 0 ? passwords.hash(label) : passwords.check(label, `fake$${label}`))),
  );
  assert.equal(preferred.maxRunning, 2);
  assert.deepEqual(preferred.started, labels);
  assert.deepEqual(results[0], 'fake$pw0');
  assert.deepEqual(results[1], { ok: true, needsRehash: false });
});

test('maxConcurrency sets how many hashes run at once', async () => {
  for (const maxConcurrency of [1, 3]) {
    const preferred = new FakeHasher('fake', 10);
    const passwords = new Passwords({ preferred, maxConcurrency });
    await Promise.all(Array.from({ length: 6 }, (_, i) => passwords.hashForTiming(`pw${i}`)));
    assert.equal(preferred.maxRunning, maxConcurrency);
    assert.equal(preferred.hashes, 6);
  }
});

test('the line of waiting hashes is bounded: one more is refused at once with 503 and Retry-After, and the rest are served', async () => {
  const preferred = new FakeHasher('fake', 20);
  const passwords = new Passwords({ preferred, maxConcurrency: 2, maxWaiting: 3 });
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => passwords.hash(`pw${i}`)));
  const refused = results.filter((result) => result.status === 'rejected');
  assert.equal(results.filter((result) => result.status === 'fulfilled').length, 5, 'two running and three waiting');
  assert.equal(refused.length, 3);
  for (const result of refused) {
    assert.equal((result as PromiseRejectedResult).reason.code, 'unavailable');
    assert.equal((result as PromiseRejectedResult).reason.status, 503);
    assert.deepEqual((result as PromiseRejectedResult).reason.headers, { 'Retry-After': '1' });
  }
  assert.equal(preferred.hashes, 5, 'a refused hash never ran');
  assert.equal(await passwords.hash('later'), 'fake$later', 'the line works again once it is short');
});

test('a hasher that throws gives back its slot', async () => {
  const preferred = new FakeHasher('fake');
  const passwords = new Passwords({ preferred, maxConcurrency: 1 });
  preferred.fail = true;
  await assert.rejects(passwords.hash('pw'), /hasher broke/);
  await assert.rejects(passwords.check('pw', 'fake$pw'), /hasher broke/);
  preferred.fail = false;
  assert.equal(await passwords.hash('pw'), 'fake$pw');
});

test('real argon2id work is bounded too: a burst of checks runs two at a time', async () => {
  const real = new Argon2idHasher({ memoryCost: 1024, timeCost: 1 });
  let running = 0;
  let maxRunning = 0;
  const watched: PasswordHasher = {
    algorithm: real.algorithm,
    handles: (encoded) => real.handles(encoded),
    needsRehash: (encoded) => real.needsRehash(encoded),
    hash: (password) => real.hash(password),
    verify: async (password, encoded) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await real.verify(password, encoded);
      } finally {
        running -= 1;
      }
    },
  };
  const passwords = new Passwords({ preferred: watched });
  const encoded = await real.hash('pw');
  const results = await Promise.all(Array.from({ length: 6 }, () => passwords.check('pw', encoded)));
  assert.equal(maxRunning, 2);
  assert.ok(results.every((result) => result.ok));
});

test('the constructor refuses a bad maxConcurrency and two hashers with one name', async () => {
  assert.throws(() => new Passwords({ preferred: new FakeHasher('a'), maxConcurrency: 0 }), RangeError);
  assert.throws(() => new Passwords({ preferred: new FakeHasher('a'), maxConcurrency: 1.5 }), RangeError);
  assert.throws(() => new Passwords({ preferred: new FakeHasher('a'), others: [new FakeHasher('a')] }), RangeError);
  assert.throws(() => defaultPasswords({ argon2id: { memoryCost: 1 } }), RangeError);
});
