// Django's own encodings verify here (known-answer vectors from Django's tests), and hostile or broken ones fail safely.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DjangoArgon2Hasher,
  DjangoPbkdf2Sha1Hasher,
  DjangoPbkdf2Sha256Hasher,
  DjangoScryptHasher,
} from '../../../src/core/passwords/django.ts';
import { defaultPasswords } from '../../../src/core/passwords/passwords.ts';

const PBKDF2_SHA256 = 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=';
const PBKDF2_SHA1 = 'pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=';
const SCRYPT =
  'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==';
const SCRYPT_P5 =
  'scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw==';
const ARGON2 = 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw';

const passwords = defaultPasswords();

const vectors = [
  { name: 'pbkdf2_sha256', password: 'lètmein', encoded: PBKDF2_SHA256 },
  { name: 'pbkdf2_sha1', password: 'lètmein', encoded: PBKDF2_SHA1 },
  { name: 'scrypt p=1', password: 'lètmein', encoded: SCRYPT },
  { name: 'scrypt p=5', password: 'lètmein', encoded: SCRYPT_P5 },
  { name: 'argon2', password: 'secret', encoded: ARGON2 },
];

for (const { name, password, encoded } of vectors) {
  test(`Django ${name} vector verifies its password and asks to be rehashed`, async () => {
    assert.deepEqual(await passwords.check(password, encoded), { ok: true, needsRehash: true });
  });

  test(`Django ${name} vector refuses a wrong password`, async () => {
    assert.deepEqual(await passwords.check(`${password}!`, encoded), { ok: false, needsRehash: false });
  });
}

test('hash() with a given salt reproduces Django encodings byte for byte', async () => {
  assert.equal(await new DjangoPbkdf2Sha256Hasher({ iterations: 600000 }).hash('lètmein', 'seasalt'), PBKDF2_SHA256);
  assert.equal(await new DjangoPbkdf2Sha1Hasher({ iterations: 600000 }).hash('lètmein', 'seasalt2'), PBKDF2_SHA1);
  assert.equal(await new DjangoScryptHasher().hash('lètmein', 'seasalt'), SCRYPT);
  // The vector's salt is the base64 of Django's 12-character salt string.
  assert.equal(await new DjangoArgon2Hasher().hash('secret', 'cN5tLa6IcEE2'), ARGON2);
});

const cheapHashers = [
  new DjangoPbkdf2Sha256Hasher({ iterations: 1 }),
  new DjangoPbkdf2Sha1Hasher({ iterations: 1 }),
  new DjangoScryptHasher({ N: 16, r: 1, p: 1 }),
  new DjangoArgon2Hasher({ memoryCost: 8, timeCost: 1, parallelism: 1 }),
];

test('the default salt is 22 characters of A-Za-z0-9, fresh each time', async () => {
  for (const hasher of cheapHashers) {
    const salts = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const encoded = await hasher.hash('pw');
      const salt =
        hasher instanceof DjangoArgon2Hasher
          ? Buffer.from(encoded.split('$')[4] ?? '', 'base64').toString('utf8')
          : encoded.split('$')[2];
      assert.match(salt ?? '', /^[A-Za-z0-9]{22}$/, `${hasher.algorithm}: ${encoded}`);
      salts.add(salt ?? '');
    }
    assert.equal(salts.size, 3, hasher.algorithm);
  }
});

test('a Django hasher verifies its own hash() and refuses another password', async () => {
  for (const hasher of cheapHashers) {
    const encoded = await hasher.hash('correct horse');
    assert.equal(await hasher.verify('correct horse', encoded), true, hasher.algorithm);
    assert.equal(await hasher.verify('correct horsE', encoded), false, hasher.algorithm);
  }
});

test('Django hashers always ask for a rehash, even of a strong encoding', async () => {
  for (const hasher of cheapHashers) {
    assert.equal(hasher.needsRehash(await hasher.hash('pw')), true, hasher.algorithm);
  }
});

test('a hash is handled only by the hasher whose algorithm prefixes it', async () => {
  const [sha256, sha1, scrypt, argon2] = cheapHashers;
  assert.ok(sha256 && sha1 && scrypt && argon2);
  assert.equal(sha256.handles(PBKDF2_SHA256), true);
  assert.equal(sha256.handles(PBKDF2_SHA1), false);
  assert.equal(sha1.handles(PBKDF2_SHA1), true);
  assert.equal(scrypt.handles(SCRYPT), true);
  assert.equal(argon2.handles(ARGON2), true);
  assert.equal(argon2.handles('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA'), false);
  // A hasher given another's encoding says no rather than misreading it.
  assert.equal(await sha1.verify('lètmein', PBKDF2_SHA256), false);
});

const malformed = [
  '',
  'pbkdf2_sha256',
  'pbkdf2_sha256$',
  'pbkdf2_sha256$600000$seasalt',
  'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=$extra',
  'pbkdf2_sha256$abc$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
  'pbkdf2_sha256$0$seasalt$x',
  'pbkdf2_sha256$-5$seasalt$x',
  'pbkdf2_sha256$0600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
  'pbkdf2_sha256$600000$$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
  'pbkdf2_sha1$1.5$s$x',
  'scrypt$16384$seasalt$8$1',
  'scrypt$16383$seasalt$8$1$x',
  'scrypt$1$seasalt$8$1$x',
  'scrypt$16384$seasalt$0$1$x',
  'scrypt$16384$seasalt$8$0$x',
  'scrypt$abc$seasalt$8$1$x',
  'argon2$',
  'argon2$argon2id$',
  'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy',
  'argon2$argon2id$v=19$m=102400,t=2$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2id$v=19$m=102400,m=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2id$v=18$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2id$v=19$m=102400,t=2,p=8$!!!!$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2id$v=19$m=102400,t=2,p=8$Y$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2id$v=19$m=8,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  'argon2$argon2x$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
];

test('malformed Django encodings are not handled, verify as false and never throw', async () => {
  for (const encoded of malformed) {
    for (const hasher of cheapHashers) {
      // Unhandled sends the facade down the unknown-algorithm path, which still costs a hash.
      assert.equal(hasher.handles(encoded), false, `${hasher.algorithm} handles ${encoded}`);
      assert.equal(await hasher.verify('lètmein', encoded), false, `${hasher.algorithm} on ${encoded}`);
    }
    assert.deepEqual(await passwords.check('lètmein', encoded), { ok: false, needsRehash: false }, encoded);
  }
});

test('encodings asking for ruinous cost are refused without running them', async () => {
  const hostile = [
    'pbkdf2_sha256$9999999999$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
    'pbkdf2_sha1$4000000000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=',
    `scrypt$${2 ** 30}$seasalt$8$1$x`,
    `scrypt$${2 ** 20}$seasalt$1024$1$x`,
    'scrypt$16384$seasalt$8$1000000$x',
    'argon2$argon2id$v=19$m=4194304,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
    'argon2$argon2id$v=19$m=102400,t=100000,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
    'argon2$argon2id$v=19$m=102400,t=2,p=16000000$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  ];
  const hasher = { pbkdf2_sha256: cheapHashers[0], pbkdf2_sha1: cheapHashers[1], scrypt: cheapHashers[2], argon2: cheapHashers[3] };
  for (const encoded of hostile) {
    const owner = hasher[encoded.split('$')[0] as keyof typeof hasher];
    assert.ok(owner, encoded);
    // Run, any of these would take minutes or gigabytes: refused, they are never run at all.
    assert.equal(owner.handles(encoded), false, encoded);
    assert.equal(await owner.verify('lètmein', encoded), false, encoded);
  }
});

test('verifying a Django hash leaves the event loop free to serve other requests', async () => {
  const order: string[] = [];
  const verified = new DjangoPbkdf2Sha256Hasher().verify('lètmein', PBKDF2_SHA256).then((ok) => {
    order.push('verified');
    return ok;
  });
  // Work the event loop does meanwhile. Hashed on the loop itself, the hash would be done (and
  // its promise settled) before the loop could turn once; in the thread pool, the loop turns first.
  await new Promise((resolve) => setImmediate(resolve));
  order.push('the event loop turned');
  assert.equal(await verified, true);
  assert.deepEqual(order, ['the event loop turned', 'verified']);
});

test('construction refuses parameters that verify would refuse to read', async () => {
  assert.throws(() => new DjangoPbkdf2Sha256Hasher({ iterations: 0 }), RangeError);
  assert.throws(() => new DjangoPbkdf2Sha256Hasher({ iterations: 1.5 }), RangeError);
  assert.throws(() => new DjangoScryptHasher({ N: 1000 }), RangeError);
  assert.throws(() => new DjangoScryptHasher({ N: 2 ** 30 }), RangeError);
  await assert.rejects(new DjangoPbkdf2Sha256Hasher({ iterations: 1 }).hash('pw', 'a$b'), RangeError);
});
