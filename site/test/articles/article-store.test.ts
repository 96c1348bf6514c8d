// ArticleStore on both dialects: newest first, pages, counts, reads with the author's name, and
// what deleting a user or an article takes with it.
import assert from 'node:assert/strict';
import { describe } from 'node:test';

import { readingListRows, siteDialects } from './site-db.ts';

for (const dialect of siteDialects()) {
  describe(`ArticleStore on ${dialect.name}`, () => {
    dialect.test('create stores an article that get reads back with its author’s username', async ({ articles, newUser }) => {
      const alice = await newUser('Alice');
      const before = Date.now();
      const id = await articles.create(alice.id, 'A title', 'Line one\nline two <b>');
      const after = Date.now();
      const article = await articles.get(id);
      assert.ok(article !== null);
      assert.deepEqual({ ...article, createdAt: 0, updatedAt: 0 }, {
        id,
        authorId: alice.id,
        authorUsername: 'Alice',
        title: 'A title',
        content: 'Line one\nline two <b>',
        createdAt: 0,
        updatedAt: 0,
      });
      assert.equal(typeof article.id, 'number');
      assert.equal(typeof article.authorId, 'number');
      assert.ok(article.createdAt >= before && article.createdAt <= after, 'created_at is the time of creation, in ms');
      assert.equal(article.updatedAt, article.createdAt);
    });

    dialect.test('get answers null for an id that does not exist or cannot be one', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const id = await newArticle(alice.id, 'only');
      for (const missing of [id + 1, 0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Infinity]) {
        assert.equal(await articles.get(missing), null, String(missing));
      }
    });

    dialect.test('list is newest first by creation time, and by id among articles made at the same time', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const oldest = await newArticle(alice.id, 'oldest', 1_000);
      const tiedFirst = await newArticle(bob.id, 'tied first', 3_000);
      const middle = await newArticle(alice.id, 'middle', 2_000);
      const tiedSecond = await newArticle(alice.id, 'tied second', 3_000);
      const listed = await articles.list(0, 10);
      assert.deepEqual(listed.map((article) => article.id), [tiedSecond, tiedFirst, middle, oldest]);
      assert.deepEqual(listed.map((article) => article.authorUsername), ['alice', 'bob', 'alice', 'alice']);
    });

    dialect.test('creation time decides the order, not id', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const backdated = await newArticle(alice.id, 'backdated', 1_000);
      const first = await newArticle(alice.id, 'first', 500);
      assert.deepEqual((await articles.list(0, 10)).map((article) => article.id), [backdated, first]);
    });

    dialect.test('offset and limit cut the newest-first list into pages that neither overlap nor skip', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const ids: number[] = [];
      for (let index = 0; index < 7; index += 1) ids.push(await newArticle(alice.id, `article ${index}`, 10_000 + index * 1_000));
      const newestFirst = [...ids].reverse();
      const pages = [await articles.list(0, 3), await articles.list(3, 3), await articles.list(6, 3)];
      assert.deepEqual(pages.map((page) => page.map((article) => article.id)), [newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
      assert.deepEqual(await articles.list(7, 3), []);
      assert.deepEqual(await articles.list(100, 3), []);
      assert.deepEqual((await articles.list(2, 1)).map((article) => article.id), [newestFirst[2]]);
    });

    dialect.test('count counts every article, and follows creation and deletion', async ({ articles, newUser, newArticle }) => {
      assert.equal(await articles.count(), 0);
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const first = await newArticle(alice.id, 'one');
      await newArticle(bob.id, 'two');
      await newArticle(bob.id, 'three');
      assert.equal(await articles.count(), 3);
      await articles.delete(first);
      assert.equal(await articles.count(), 2);
    });

    dialect.test('getMany returns the existing articles in the order asked, dropping missing ids', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const a = await newArticle(alice.id, 'a', 1_000);
      const b = await newArticle(bob.id, 'b', 2_000);
      const c = await newArticle(alice.id, 'c', 3_000);
      await articles.delete(b);
      const found = await articles.getMany([a, 999_999, b, c]);
      assert.deepEqual(found.map((article) => article.id), [a, c]);
      assert.deepEqual((await articles.getMany([c, a])).map((article) => article.title), ['c', 'a']);
      assert.deepEqual((await articles.getMany([c, a])).map((article) => article.authorUsername), ['alice', 'alice']);
      assert.deepEqual(await articles.getMany([]), []);
      assert.deepEqual(await articles.getMany([999_998, 999_999]), []);
    });

    dialect.test('update changes title, content and updated_at, and keeps created_at and the author', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const id = await newArticle(alice.id, 'draft', 1_000);
      const other = await newArticle(alice.id, 'other', 1_000);
      const before = Date.now();
      await articles.update(id, 'final', 'new content');
      const after = Date.now();
      const updated = await articles.get(id);
      assert.ok(updated !== null);
      assert.equal(updated.title, 'final');
      assert.equal(updated.content, 'new content');
      assert.equal(updated.createdAt, 1_000);
      assert.ok(updated.updatedAt >= before && updated.updatedAt <= after, `updated_at ${updated.updatedAt} is not the time of the update`);
      assert.equal(updated.authorId, alice.id);
      const untouched = await articles.get(other);
      assert.ok(untouched !== null);
      assert.deepEqual([untouched.title, untouched.updatedAt], ['other', 1_000]);
    });

    dialect.test('delete removes only that article', async ({ articles, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const doomed = await newArticle(alice.id, 'doomed');
      const kept = await newArticle(alice.id, 'kept');
      await articles.delete(doomed);
      assert.equal(await articles.get(doomed), null);
      assert.deepEqual((await articles.list(0, 10)).map((article) => article.id), [kept]);
      await articles.delete(doomed);
      assert.equal(await articles.count(), 1, 'deleting twice is harmless');
    });

    dialect.test('deleting a user deletes their articles, and every reading-list row of theirs or of their articles', async ({ kysely, users, articles, readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const aliceFirst = await newArticle(alice.id, 'alice 1');
      const aliceSecond = await newArticle(alice.id, 'alice 2');
      const bobs = await newArticle(bob.id, 'bob 1');
      await readingList.add(alice.id, [bobs, aliceFirst]);
      await readingList.add(bob.id, [aliceFirst, aliceSecond, bobs]);

      await users.delete(alice.id);
      assert.equal(await articles.get(aliceFirst), null);
      assert.equal(await articles.get(aliceSecond), null);
      assert.deepEqual((await articles.list(0, 10)).map((article) => article.id), [bobs]);
      assert.equal(await readingListRows(kysely, { userId: alice.id }), 0, 'her own reading list went');
      assert.equal(await readingListRows(kysely, { articleId: aliceFirst }), 0);
      assert.equal(await readingListRows(kysely, { articleId: aliceSecond }), 0);
      assert.deepEqual(await readingList.ids(bob.id), [bobs], 'bob keeps the save of his own article');
    });

    dialect.test('deleting an article removes it from every reading list', async ({ kysely, articles, readingList, newUser, newArticle }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const doomed = await newArticle(alice.id, 'doomed');
      const kept = await newArticle(alice.id, 'kept');
      await readingList.add(alice.id, [doomed, kept]);
      await readingList.add(bob.id, [doomed]);
      await articles.delete(doomed);
      assert.equal(await readingListRows(kysely, { articleId: doomed }), 0);
      assert.deepEqual(await readingList.ids(alice.id), [kept]);
      assert.deepEqual(await readingList.ids(bob.id), []);
    });

    dialect.test('an article needs an existing author', async ({ articles }) => {
      await assert.rejects(articles.create(424_242, 'orphan', 'no author'));
      assert.equal(await articles.count(), 0);
    });
  });
}
