// The reading list: a user's in the database (both dialects), a guest's in a signed cookie.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Signer } from 'tessera';
import { GuestReadingList, guestListLimit } from '../../src/articles/guest-reading-list.ts';
import { readingListRows, siteDialects } from './site-db.ts';

for (const dialect of siteDialects()) {
  describe(`ReadingListStore on ${dialect.name}`, () => {
    dialect.test('a saved article is listed and has() says so; an unsaved one is not', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const saved = await newArticle(alice.id, 'saved');
      const other = await newArticle(alice.id, 'other');
      assert.deepEqual(await readingList.ids(alice.id), []);
      await readingList.add(alice.id, [saved]);
      assert.deepEqual(await readingList.ids(alice.id), [saved]);
      assert.equal(await readingList.has(alice.id, saved), true);
      assert.equal(await readingList.has(alice.id, other), false);
    });

    dialect.test('the most recently saved comes first, whatever the ids', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const low = await newArticle(alice.id, 'low');
      const middle = await newArticle(alice.id, 'middle');
      const high = await newArticle(alice.id, 'high');
      // Saved highest id first, one after another (often within one millisecond).
      await readingList.add(alice.id, [high]);
      await readingList.add(alice.id, [middle]);
      await readingList.add(alice.id, [low]);
      assert.deepEqual(await readingList.ids(alice.id), [low, middle, high]);
    });

    dialect.test('a merged guest list keeps its order, and a save right after it still comes first', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const a = await newArticle(alice.id, 'a');
      const b = await newArticle(alice.id, 'b');
      const c = await newArticle(alice.id, 'c');
      const d = await newArticle(alice.id, 'd');
      // The guest list is most recent first: c, then a, then d.
      await readingList.add(alice.id, [c, a, d]);
      assert.deepEqual(await readingList.ids(alice.id), [c, a, d]);
      await readingList.add(alice.id, [b]);
      assert.deepEqual(await readingList.ids(alice.id), [b, c, a, d]);
    });

    dialect.test('saving again adds no duplicate and leaves the first save where it was', async ({ kysely, readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const first = await newArticle(alice.id, 'first');
      const second = await newArticle(alice.id, 'second');
      await readingList.add(alice.id, [first]);
      await readingList.add(alice.id, [second]);
      await readingList.add(alice.id, [first]);
      await readingList.add(alice.id, [first, second, first]);
      assert.deepEqual(await readingList.ids(alice.id), [second, first]);
      assert.equal(await readingListRows(kysely, { userId: alice.id }), 2);
    });

    dialect.test('a list with the same id twice is saved once', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const a = await newArticle(alice.id, 'a');
      const b = await newArticle(alice.id, 'b');
      await readingList.add(alice.id, [b, b, a, b]);
      assert.deepEqual(await readingList.ids(alice.id), [b, a]);
    });

    dialect.test('deleted and unknown articles are dropped, the rest are saved', async ({ articles, readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const kept = await newArticle(alice.id, 'kept');
      const deleted = await newArticle(alice.id, 'deleted');
      await articles.delete(deleted);
      await readingList.add(alice.id, [deleted, 999_999, kept, Number.MAX_SAFE_INTEGER]);
      assert.deepEqual(await readingList.ids(alice.id), [kept]);
      await readingList.add(alice.id, [deleted, 999_999]);
      await readingList.add(alice.id, []);
      assert.deepEqual(await readingList.ids(alice.id), [kept]);
    });

    dialect.test('remove takes one article off one user’s list', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const a = await newArticle(alice.id, 'a');
      const b = await newArticle(alice.id, 'b');
      await readingList.add(alice.id, [a, b]);
      await readingList.add(bob.id, [a]);
      await readingList.remove(alice.id, a);
      assert.deepEqual(await readingList.ids(alice.id), [b]);
      assert.equal(await readingList.has(alice.id, a), false);
      assert.deepEqual(await readingList.ids(bob.id), [a], 'bob’s list is his own');
      await readingList.remove(alice.id, a);
      await readingList.remove(alice.id, 999_999);
      assert.deepEqual(await readingList.ids(alice.id), [b], 'removing what is not there is harmless');
    });

    dialect.test('each user has a list of their own', async ({ readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const a = await newArticle(alice.id, 'a');
      const b = await newArticle(alice.id, 'b');
      await readingList.add(alice.id, [a]);
      await readingList.add(bob.id, [b]);
      assert.deepEqual(await readingList.ids(alice.id), [a]);
      assert.deepEqual(await readingList.ids(bob.id), [b]);
      assert.equal(await readingList.has(bob.id, a), false);
    });
  });
}

describe('GuestReadingList', () => {
  const secret = 'guest-reading-list-test-secret-0123456789abcdef';
  const list = new GuestReadingList(secret);
  /** A cookie this site could have signed, holding any text at all. */
  const signedRaw = (value: string) => new Signer(secret, 'reading_list').sign(value);

  test('what write stores, read gives back in the same order', () => {
    assert.deepEqual(list.read(list.write([3, 1, 2])), [3, 1, 2]);
    assert.deepEqual(list.read(list.write([42])), [42]);
    assert.deepEqual(list.read(list.write([Number.MAX_SAFE_INTEGER, 1])), [Number.MAX_SAFE_INTEGER, 1]);
  });

  test('an empty list and a missing cookie both read as empty', () => {
    assert.deepEqual(list.read(list.write([])), []);
    assert.deepEqual(list.read(undefined), []);
    assert.deepEqual(list.read(''), []);
  });

  test('a tampered cookie reads as empty', () => {
    const cookie = list.write([3, 1, 2]);
    const signature = cookie.slice(cookie.lastIndexOf(':'));
    for (const forged of [`3-1-4${signature}`, `3-1${signature}`, `3-1-2-9${signature}`, `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`, '3-1-2', `3-1-2:`, `${cookie}x`]) {
      assert.deepEqual(list.read(forged), [], forged);
    }
  });

  test('a cookie signed with another key or for another purpose reads as empty', () => {
    assert.deepEqual(list.read(new GuestReadingList(`${secret}-other`).write([1, 2])), []);
    assert.deepEqual(list.read(new Signer(secret, 'session').sign('1-2')), []);
  });

  test('a signed cookie holding anything but positive safe integers reads as empty', () => {
    const malformed = ['0', '-1', '1.5', 'abc', '1-abc', '1-0', '2--1', '1-', '-', ' 1', '1 ', '01', '1e3', '0x10', '+1', '1,2', '1_000', '１', '99999999999999999999', '9007199254740993', '1-9007199254740993'];
    for (const value of malformed) {
      assert.deepEqual(list.read(signedRaw(value)), [], JSON.stringify(value));
    }
  });

  test('duplicate ids read once, where they first appear', () => {
    assert.deepEqual(list.read(signedRaw('3-1-3-2-1')), [3, 1, 2]);
  });

  test(`at most ${guestListLimit} ids are kept: the most recent, so the oldest fall off`, () => {
    assert.equal(guestListLimit, 50);
    const sixty = Array.from({ length: 60 }, (_, index) => 100 + index);
    assert.deepEqual(list.read(list.write(sixty)), sixty.slice(0, 50));
    assert.deepEqual(list.read(signedRaw(sixty.join('-'))), sixty.slice(0, 50));
  });

  test('withSaved puts the id first, moving it if it was already there', () => {
    assert.deepEqual(GuestReadingList.withSaved([], 7), [7]);
    assert.deepEqual(GuestReadingList.withSaved([3, 1, 2], 7), [7, 3, 1, 2]);
    assert.deepEqual(GuestReadingList.withSaved([3, 1, 2], 2), [2, 3, 1]);
    assert.deepEqual(GuestReadingList.withSaved([3, 1, 2], 3), [3, 1, 2]);
  });

  test('withSaved on a full list drops the oldest, and moving an id within it drops nothing', () => {
    const full = Array.from({ length: 50 }, (_, index) => index + 1);
    const added = GuestReadingList.withSaved(full, 99);
    assert.equal(added.length, 50);
    assert.equal(added[0], 99);
    assert.deepEqual(added.slice(1), full.slice(0, 49), 'only the oldest (last) fell off');
    const moved = GuestReadingList.withSaved(full, 50);
    assert.deepEqual(moved, [50, ...full.slice(0, 49)]);
  });

  test('withoutSaved removes the id and keeps the order of the rest', () => {
    assert.deepEqual(GuestReadingList.withoutSaved([3, 1, 2], 1), [3, 2]);
    assert.deepEqual(GuestReadingList.withoutSaved([3, 1, 2], 9), [3, 1, 2]);
    assert.deepEqual(GuestReadingList.withoutSaved([], 9), []);
  });

  test('the list is a fresh array, never the one passed in', () => {
    const ids = [3, 1, 2];
    GuestReadingList.withSaved(ids, 9);
    GuestReadingList.withoutSaved(ids, 1);
    assert.deepEqual(ids, [3, 1, 2]);
  });

  test('a full list of large ids still fits in one cookie', () => {
    const ids = Array.from({ length: 50 }, (_, index) => Number.MAX_SAFE_INTEGER - index);
    const cookie = list.write(ids);
    assert.ok(Buffer.byteLength(`reading_list=${cookie}`) < 4_000, `${Buffer.byteLength(cookie)} bytes`);
    assert.deepEqual(list.read(cookie), ids);
  });
});
