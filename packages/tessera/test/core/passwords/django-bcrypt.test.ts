// Django's bcrypt_sha256 and bcrypt encodings verify here (hashes Django made, and Django's own test cases), and broken or ruinous ones fail safely.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DjangoBcryptHasher, DjangoBcryptSha256Hasher } from '../../../src/core/passwords/django-bcrypt.ts';
import { defaultPasswords } from '../../../src/core/passwords/passwords.ts';

/**
 * Hashes Django made. The $2a$ ones are Django 1.6's output as kept in passlib's test suite
 * (test_handlers_django.py, `known_correct_hashes`); the $2b$12$ ones are today's default form
 * (python-bcrypt ≥ 3, 12 rounds), as kept in a Go port's tests of Django's hashers. Django's own
 * test_hashers.py makes its bcrypt hashes with random salts, so it has no fixed vector to copy;
 * its cases are below, run against hashes made here.
 */
const vectors = [
  { password: '', encoded: 'bcrypt_sha256$$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu' },
  { password: 'lètmein', encoded: 'bcrypt_sha256$$2a$08$NDjSAIcas.EcoxCRiArvT.MkNiPYVhrsrnJsRkLueZOoV1bsQqlmC' },
  { password: 'táБℓə', encoded: 'bcrypt_sha256$$2a$06$kCXUnRFQptGg491siDKNTu8RxjBGSjALHRuvhPYNFsa4Ea5d9M48u' },
  { password: 'test', encoded: 'bcrypt_sha256$$2b$12$PpQIsCsElwF9xdT/dhH7Je0tb/xW0MctV.Yvd/zH3vicM5ZAOP85i' },
  { password: '', encoded: 'bcrypt$$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.' },
  { password: 'abcdefghijklmnopqrstuvwxyz', encoded: 'bcrypt$$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq' },
  { password: 'táБℓə', encoded: 'bcrypt$$2a$05$Z17AXnnlpzddNUvnC6cZNOSwMA/8oNiKnHTHTwLlBijfucQQlHjaG' },
  { password: 'test', encoded: 'bcrypt$$2b$12$6oJ78FYHcl05aSm4QElRBOGvtnIlmCjl0QVYmqPzQg2QhUNIMHeZe' },
];

const passwords = defaultPasswords();

for (const { password, encoded } of vectors) {
  test(`Django's ${encoded.slice(0, encoded.indexOf('$$') + 7)}… hash of ${JSON.stringify(password)} verifies and asks to be rehashed`, async () => {
    assert.deepEqual(await passwords.check(password, encoded), { ok: true, needsRehash: true });
  });

  test(`Django's ${encoded.slice(0, encoded.indexOf('$$') + 7)}… hash of ${JSON.stringify(password)} refuses another password`, async () => {
    assert.deepEqual(await passwords.check(`${password}x`, encoded), { ok: false, needsRehash: false });
  });
}

test('hash() with the stored salt reproduces the Django hashes byte for byte', async () => {
  for (const { password, encoded } of vectors) {
    const hasher = encoded.startsWith('bcrypt_sha256$') ? new DjangoBcryptSha256Hasher() : new DjangoBcryptHasher();
    const data = encoded.slice(encoded.indexOf('$') + 1);
    assert.equal(await hasher.hash(password, data.slice(0, 29)), encoded);
  }
});

test('bcrypt_sha256 tells apart passwords that differ only after 72 bytes (Django\'s #20138)', async () => {
  // passlib's vectors of Django output: one salt, three passwords alike in their first 72 bytes.
  const stem = 'abc123'.repeat(12);
  const hashes = {
    [stem]: 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61OySmyXA8FoY4PjGizjE1QSDfuL5MXNni',
    [`${stem}qwr`]: 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61Ocy0BEz1RK6xslSNi8PlaLX2pe7x/KQG',
    [`${stem}xyz`]: 'bcrypt_sha256$$2a$06$Tg/oYyZTyAf.Nb3qSgN61OvY2zoRVUa2Pugv2ExVOUT2YmhvxUFUa',
  };
  const hasher = new DjangoBcryptSha256Hasher();
  for (const [password, encoded] of Object.entries(hashes)) {
    for (const other of Object.keys(hashes)) {
      assert.equal(await hasher.verify(other, encoded), other === password, `${other.slice(72)} against the hash of …${password.slice(72)}`);
    }
  }
});

// Django's test_bcrypt_sha256 and test_bcrypt, with 4 rounds so they run in milliseconds.
const cheap = { bcrypt_sha256: new DjangoBcryptSha256Hasher({ rounds: 4 }), bcrypt: new DjangoBcryptHasher({ rounds: 4 }) };

for (const [name, hasher] of Object.entries(cheap)) {
  test(`Django's test_${name}: lètmein verifies, lètmeinz does not, the blank password is a password`, async () => {
    const encoded = await hasher.hash('lètmein');
    assert.ok(encoded.startsWith(`${name}$$2b$04$`), encoded);
    assert.equal(await hasher.verify('lètmein', encoded), true);
    assert.equal(await hasher.verify('lètmeinz', encoded), false);
    const blank = await hasher.hash('');
    assert.equal(await hasher.verify('', blank), true);
    assert.equal(await hasher.verify(' ', blank), false);
  });
}

test("Django's test_bcrypt_sha256: a password past 72 bytes is not truncated", async () => {
  const password = 'VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN';
  const encoded = await cheap.bcrypt_sha256.hash(password);
  assert.equal(await cheap.bcrypt_sha256.verify(password, encoded), true);
  assert.equal(await cheap.bcrypt_sha256.verify(password.slice(0, 72), encoded), false);
});

test('plain bcrypt reads only the first 72 bytes, as python-bcrypt did when Django made these hashes', async () => {
  const password = 'x'.repeat(72);
  const encoded = await cheap.bcrypt.hash(password);
  assert.equal(await cheap.bcrypt.verify(`${password}anything`, encoded), true);
});

test('each bcrypt hasher handles only its own prefix', () => {
  const sha256 = vectors[1]!.encoded;
  const plain = vectors[5]!.encoded;
  assert.equal(cheap.bcrypt_sha256.handles(sha256), true);
  assert.equal(cheap.bcrypt_sha256.handles(plain), false);
  assert.equal(cheap.bcrypt.handles(plain), true);
  assert.equal(cheap.bcrypt.handles(sha256), false);
});

test('malformed bcrypt encodings are not handled, verify as false and never throw', async () => {
  const malformed = [
    'bcrypt_sha256$',
    'bcrypt_sha256$$',
    // passlib's known_malformed: something between the two dollars.
    'bcrypt_sha256$xyz$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu',
    'bcrypt_sha256$$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1t',
    'bcrypt_sha256$$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tuu',
    'bcrypt_sha256$$2c$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu',
    'bcrypt_sha256$$2a$6$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu',
    'bcrypt_sha256$$2a$03$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1tu',
    'bcrypt_sha256$$2a$06$/3OeRpbOf8/l6nPPRdZPp.nRiyYqPobEZGdNRBWihQhiFDh1ws1t!',
    'bcrypt$$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s',
    'bcrypt$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.',
    '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.',
  ];
  for (const encoded of malformed) {
    for (const hasher of Object.values(cheap)) {
      assert.equal(hasher.handles(encoded), false, `${hasher.algorithm} handles ${encoded}`);
      assert.equal(await hasher.verify('', encoded), false, `${hasher.algorithm} on ${encoded}`);
    }
    assert.deepEqual(await passwords.check('', encoded), { ok: false, needsRehash: false }, encoded);
  }
});

test('a hash asking for more than 16 rounds is refused without being run', async () => {
  // 31 rounds would be 2^19 times the default's half second.
  const ruinous = 'bcrypt_sha256$$2b$31$PpQIsCsElwF9xdT/dhH7Je0tb/xW0MctV.Yvd/zH3vicM5ZAOP85i';
  const started = Date.now();
  assert.equal(cheap.bcrypt_sha256.handles(ruinous), false);
  assert.equal(await cheap.bcrypt_sha256.verify('test', ruinous), false);
  assert.ok(Date.now() - started < 1000, 'the hash was run');
  assert.equal(cheap.bcrypt_sha256.handles(ruinous.replace('$31$', '$16$')), true);
});

test('construction refuses rounds that verify would refuse to read', () => {
  assert.throws(() => new DjangoBcryptSha256Hasher({ rounds: 3 }), RangeError);
  assert.throws(() => new DjangoBcryptHasher({ rounds: 17 }), RangeError);
  assert.throws(() => new DjangoBcryptHasher({ rounds: 12.5 }), RangeError);
});
