// One Django auth_user row becomes one tessera users row: times from either backend, flags, NFKC usernames, and the rows tessera must refuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { djangoFlag, djangoTime, mapDjangoUser } from '../../src/core/django-import/django-user.ts';
import type { DjangoUserRow } from '../../src/core/django-import/django-database.ts';

function row(fields: Partial<DjangoUserRow> = {}): DjangoUserRow {
  return {
    id: 7,
    username: 'alice',
    password: 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
    email: 'alice@example.com',
    first_name: 'Alice',
    last_name: 'Liddell',
    is_active: 1,
    is_staff: 0,
    is_superuser: 0,
    date_joined: '2023-04-09 05:55:45.715058',
    last_login: null,
    ...fields,
  };
}

test("SQLite's datetime text is read as UTC, microseconds dropped", () => {
  assert.equal(djangoTime('2023-04-09 05:55:45.715058'), Date.parse('2023-04-09T05:55:45.715Z'));
  assert.equal(djangoTime('2023-04-09 05:55:45.715999'), Date.parse('2023-04-09T05:55:45.715Z'), 'truncated, not rounded');
  assert.equal(djangoTime('2021-10-01 08:53:15'), Date.parse('2021-10-01T08:53:15Z'));
  assert.equal(djangoTime('2021-10-01 08:53:15.5'), Date.parse('2021-10-01T08:53:15.500Z'));
  assert.equal(djangoTime('2021-10-01T08:53:15+02:00'), Date.parse('2021-10-01T06:53:15Z'));
  assert.equal(djangoTime('2021-10-01 08:53:15-0530'), Date.parse('2021-10-01T14:23:15Z'));
});

test("PostgreSQL's Dates are taken as they are", () => {
  const date = new Date('2024-01-02T03:04:05.678Z');
  assert.equal(djangoTime(date), date.getTime());
  assert.equal(djangoTime(new Date(Number.NaN)), null);
});

test('text that is no datetime is null, not a guess', () => {
  for (const text of ['', 'yesterday', '2023-04-09', '2023-04-09 05:55', '09/04/2023 05:55:45']) assert.equal(djangoTime(text), null, text);
});

test('flags are true for PostgreSQL true and SQLite 1 only', () => {
  assert.equal(djangoFlag(true), true);
  assert.equal(djangoFlag(1), true);
  assert.equal(djangoFlag(false), false);
  assert.equal(djangoFlag(0), false);
});

test('a Django user maps to every users column, the hash untouched', () => {
  const mapped = mapDjangoUser(row({ is_staff: true, is_superuser: false, is_active: false, last_login: new Date('2024-01-02T03:04:05Z') }));
  assert.deepEqual(mapped, {
    ok: true,
    row: {
      username: 'alice',
      username_normalized: 'alice',
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Liddell',
      password: row().password,
      is_active: 0,
      is_staff: 1,
      is_superuser: 0,
      date_joined: Date.parse('2023-04-09T05:55:45.715Z'),
      last_login: Date.parse('2024-01-02T03:04:05Z'),
    },
  });
});

test('the username is stored NFKC and keyed case-folded, as a sign-up would be', () => {
  const mapped = mapDjangoUser(row({ username: 'Ｓtraße' }));
  assert.ok(mapped.ok);
  assert.equal(mapped.row.username, 'Straße');
  assert.equal(mapped.row.username_normalized, 'strasse');
});

test("an unusable password (Django's '!' and 40 characters) is copied as it is", () => {
  const unusable = '!Xb7rTq2LmN9vC4kJ8hG3fD6sA1zW5yE0uR7iO2pQ';
  const mapped = mapDjangoUser(row({ password: unusable }));
  assert.ok(mapped.ok);
  assert.equal(mapped.row.password, unusable);
});

test('usernames tessera refuses are refused with the reason', () => {
  const refusals: Array<[string, RegExp]> = [
    ['', /empty/],
    ['bad name', /characters tessera refuses/],
    ['admin\u034f', /characters tessera refuses/],
    // A combining mark NFKC has no precomposed letter for (an e would become é, and be fine).
    ['x\u0301', /characters tessera refuses/],
    // 150 characters in Django, but NFKC makes each of these ligatures three.
    ['ﬃ'.repeat(60), /longer than 150 characters once NFKC-normalised/],
  ];
  for (const [username, reason] of refusals) {
    const mapped = mapDjangoUser(row({ username }));
    assert.equal(mapped.ok, false, JSON.stringify(username));
    assert.match((mapped as { reason: string }).reason, reason, JSON.stringify(username));
  }
});

test('NUL characters and unreadable dates are refused, naming the field', () => {
  assert.deepEqual(mapDjangoUser(row({ email: 'a\0@example.com' })), { ok: false, reason: 'the email holds a NUL character' });
  assert.deepEqual(mapDjangoUser(row({ last_name: 'x\0' })), { ok: false, reason: 'the last name holds a NUL character' });
  assert.deepEqual(mapDjangoUser(row({ date_joined: 'never' })), { ok: false, reason: 'date_joined "never" is not a date' });
  assert.deepEqual(mapDjangoUser(row({ last_login: 'soon' })), { ok: false, reason: 'last_login "soon" is not a date' });
});
