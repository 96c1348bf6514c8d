// The preferred hasher: argon2id at OWASP's parameters, and a rehash whenever a stored hash was made otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Argon2idHasher, OWASP_ARGON2ID, parseArgon2Phc } from '../../../src/core/passwords/argon2id.ts';

const hasher = new Argon2idHasher();

test('an argon2id hash verifies its password and refuses others', async () => {
  const encoded = await hasher.hash('correct horse battery staple');
  assert.match(encoded, /^\$argon2id\$v=19\$/);
  assert.equal(hasher.handles(encoded), true);
  assert.equal(await hasher.verify('correct horse battery staple', encoded), true);
  assert.equal(await hasher.verify('correct horse battery stapl', encoded), false);
  assert.equal(await hasher.verify('Correct horse battery staple', encoded), false);
});

test('non-ASCII passwords round-trip as UTF-8', async () => {
  const encoded = await hasher.hash('lètmein 비밀번호 😀');
  assert.equal(await hasher.verify('lètmein 비밀번호 😀', encoded), true);
  // The same letters, decomposed, are other bytes: no silent normalisation.
  assert.equal(await hasher.verify('le\u0300tmein 비밀번호 😀', encoded), false);
});

test('two hashes of one password differ by their salt', async () => {
  const [first, second] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
  assert.notEqual(first, second);
});

test('the default parameters are OWASP argon2id minimum: m=19456 KiB, t=2, p=1', async () => {
  assert.deepEqual({ ...OWASP_ARGON2ID }, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const phc = parseArgon2Phc(await hasher.hash('pw'));
  assert.ok(phc);
  assert.equal(phc.type, 'argon2id');
  assert.equal(phc.version, 0x13);
  assert.ok(phc.memoryCost >= 19456, `m=${phc.memoryCost}`);
  assert.ok(phc.timeCost >= 2, `t=${phc.timeCost}`);
  assert.ok(phc.parallelism >= 1, `p=${phc.parallelism}`);
  assert.equal(phc.hashLength, 32);
  assert.equal(phc.saltLength, 16);
});

test('a fresh hash made with the current parameters needs no rehash', async () => {
  assert.equal(hasher.needsRehash(await hasher.hash('pw')), false);
  const custom = new Argon2idHasher({ memoryCost: 8192, timeCost: 1 });
  assert.equal(custom.needsRehash(await custom.hash('pw')), false);
});

test('a hash made with weaker or merely different parameters needs a rehash', async () => {
  const weaker = await new Argon2idHasher({ memoryCost: 8192, timeCost: 1 }).hash('pw');
  assert.equal(await hasher.verify('pw', weaker), true);
  assert.equal(hasher.needsRehash(weaker), true);
  assert.equal(hasher.needsRehash(await new Argon2idHasher({ timeCost: 3 }).hash('pw')), true);
  assert.equal(hasher.needsRehash(await new Argon2idHasher({ parallelism: 2 }).hash('pw')), true);
  // Same costs in argon2-cffi's order and with a 16-byte hash, as Django writes them.
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw'), true);
  assert.equal(hasher.needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdwTMa6A8fPJhCAUXRhJXCXdw'), true);
  assert.equal(hasher.needsRehash('not a hash'), true);
});

test('the PHC parser reads both parameter orders and refuses extras', async () => {
  const ours = parseArgon2Phc('$argon2id$v=19$m=19456,p=1,t=2$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw');
  const djangos = parseArgon2Phc('$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw');
  assert.deepEqual(ours, djangos);
  assert.deepEqual(
    { m: ours?.memoryCost, t: ours?.timeCost, p: ours?.parallelism, salt: ours?.saltLength, hash: ours?.hashLength },
    { m: 19456, t: 2, p: 1, salt: 16, hash: 16 },
  );
  assert.equal(parseArgon2Phc('$argon2id$v=19$m=19456,t=2,p=1,data=abcd$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw'), null);
  assert.equal(parseArgon2Phc('$argon2id$v=19$m=19456,t=2,t=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw'), null);
  assert.equal(parseArgon2Phc('$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$'), null);
});

test('malformed or unaffordable argon2id encodings verify as false without throwing', async () => {
  const bad = [
    '$argon2id$',
    '$argon2id$garbage',
    '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA',
    '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw=',
    '$argon2id$v=20$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    '$argon2id$v=19$m=0,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    '$argon2id$v=19$m=4194304,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    '$argon2id$v=19$m=19456,t=4000000000,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    '$argon2i$v=19$m=19456,t=2,p=1$c2VlZHNhbHRzZWVkc2FsdA$TMa6A8fPJhCAUXRhJXCXdw',
    'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  ];
  for (const encoded of bad) {
    assert.equal(hasher.handles(encoded), false, encoded);
    assert.equal(await hasher.verify('pw', encoded), false, encoded);
  }
});

test('construction refuses parameters argon2 or the verify limits would refuse', async () => {
  assert.throws(() => new Argon2idHasher({ memoryCost: 0 }), RangeError);
  assert.throws(() => new Argon2idHasher({ timeCost: 1.5 }), RangeError);
  assert.throws(() => new Argon2idHasher({ memoryCost: 8, parallelism: 2 }), RangeError);
  assert.throws(() => new Argon2idHasher({ memoryCost: 4 * 1024 * 1024 }), RangeError);
  assert.deepEqual({ ...new Argon2idHasher({ memoryCost: undefined }).params }, { ...OWASP_ARGON2ID });
});
