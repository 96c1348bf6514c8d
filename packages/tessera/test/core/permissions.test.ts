// Authorization on both dialects: permissions held directly and through groups, Django's has_perm
// rules for active, inactive and superusers, and links that go when a user does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { isPermissionCodename, Permissions } from '../../src/core/permissions/permissions.ts';
import { SqlPermissionStore } from '../../src/core/permissions/sql-permission-store.ts';
import { SqlUserStore } from '../../src/core/users/sql-user-store.ts';
import type { NewUser } from '../../src/core/users/user-store.ts';
import type { User } from '../../src/core/users/user.ts';
import type { Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openTempSqlite, postgresForThisFile, type TestDatabase } from '../../../../test/support/databases.ts';
import { skipOrFail } from '../../../../test/support/requirements.ts';

// What an application seeds, as the reference site's migration does: one permission, one group holding it.
const deleteArticlePermission = 'articles.delete_article';
const moderatorsGroup = 'moderators';

const postgres = postgresForThisFile();

const dialects: Array<{ name: string; open: () => Promise<TestDatabase | null> }> = [
  { name: 'SQLite', open: openTempSqlite },
  { name: 'PostgreSQL', open: async () => postgres()?.fresh() ?? null },
];

interface World {
  db: Db;
  users: SqlUserStore;
  store: SqlPermissionStore;
  permissions: Permissions;
  newUser(username: string, fields?: Partial<NewUser>): Promise<User>;
}

async function linkCount(db: Db, table: 'user_groups' | 'user_permissions', userId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

for (const dialect of dialects) {
  describe(`permissions on ${dialect.name}`, () => {
    function dbTest(name: string, body: (world: World) => Promise<void>): void {
      test(name, async (t) => {
        const database = await dialect.open();
        if (database === null) {
          skipOrFail(t, `PostgreSQL binaries not installed: permissions on ${dialect.name} not tested`);
          return;
        }
        try {
          const { db } = database;
          await migrate(db);
          const users = new SqlUserStore(db);
          const store = new SqlPermissionStore(db);
          await store.ensurePermission(deleteArticlePermission, 'Can delete any article');
          await store.ensureGroup(moderatorsGroup, [deleteArticlePermission]);
          const newUser = async (username: string, fields: Partial<NewUser> = {}): Promise<User> => {
            const created = await users.create({ username, password: '!unusable', ...fields });
            assert.notEqual(created, 'username_taken');
            return created as User;
          };
          await body({ db, users, store, permissions: new Permissions(store), newUser });
        } finally {
          await database.close();
        }
      });
    }

    dbTest('the seeded "moderators" group holds articles.delete_article', async ({ store, permissions, newUser }) => {
      const moderator = await newUser('mod');
      assert.equal(await permissions.has(moderator, deleteArticlePermission), false, 'nobody holds it before joining');
      assert.equal(await store.addUserToGroup(moderator.id, moderatorsGroup), true);
      assert.deepEqual(await store.permissionsOf(moderator.id), new Set([deleteArticlePermission]));
      assert.equal(await permissions.has(moderator, 'articles.delete_article'), true);
    });

    dbTest('a user holds the union of direct grants and every group’s permissions, once each', async ({ store, newUser }) => {
      for (const codename of ['blog.add_post', 'blog.change_post', 'blog.view_post', 'blog.publish_post']) {
        await store.ensurePermission(codename, codename);
      }
      await store.ensureGroup('editors', ['blog.add_post', 'blog.change_post']);
      await store.ensureGroup('readers', ['blog.view_post', 'blog.add_post']);
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      assert.equal(await store.addUserToGroup(alice.id, 'editors'), true);
      assert.equal(await store.addUserToGroup(alice.id, 'readers'), true);
      assert.equal(await store.grant(alice.id, 'blog.publish_post'), true);
      assert.equal(await store.grant(alice.id, 'blog.add_post'), true, 'a direct grant may repeat a group’s');
      assert.deepEqual(await store.permissionsOf(alice.id), new Set(['blog.add_post', 'blog.change_post', 'blog.view_post', 'blog.publish_post']));
      assert.deepEqual(await store.permissionsOf(bob.id), new Set(), 'another user holds nothing of hers');

      await store.addUserToGroup(bob.id, 'readers');
      assert.deepEqual(await store.permissionsOf(bob.id), new Set(['blog.view_post', 'blog.add_post']));
    });

    dbTest('granting, joining and ensuring twice changes nothing', async ({ db, store, newUser }) => {
      await store.ensurePermission('blog.add_post', 'Can add post');
      await store.ensurePermission('blog.add_post', 'Can add post');
      await store.ensureGroup('editors', ['blog.add_post']);
      await store.ensureGroup('editors', ['blog.add_post']);
      const alice = await newUser('alice');
      assert.equal(await store.grant(alice.id, 'blog.add_post'), true);
      assert.equal(await store.grant(alice.id, 'blog.add_post'), true);
      assert.equal(await store.addUserToGroup(alice.id, 'editors'), true);
      assert.equal(await store.addUserToGroup(alice.id, 'editors'), true);
      assert.equal(await linkCount(db, 'user_permissions', alice.id), 1);
      assert.equal(await linkCount(db, 'user_groups', alice.id), 1);
      const groups = await db.kysely.selectFrom('groups').select('name').where('name', '=', 'editors').execute();
      assert.equal(groups.length, 1);
      const permissions = await db.kysely.selectFrom('permissions').select('codename').where('codename', '=', 'blog.add_post').execute();
      assert.equal(permissions.length, 1);
    });

    dbTest('an active user has exactly the permissions they hold', async ({ store, permissions, newUser }) => {
      await store.ensurePermission('blog.add_post', 'Can add post');
      const alice = await newUser('alice');
      await store.grant(alice.id, 'blog.add_post');
      assert.equal(await permissions.has(alice, 'blog.add_post'), true);
      assert.equal(await permissions.has(alice, 'blog.delete_post'), false);
      assert.equal(await permissions.has(alice, deleteArticlePermission), false);
    });

    dbTest('an active superuser has every permission, even ones never created', async ({ permissions, newUser }) => {
      const root = await newUser('root', { isSuperuser: true });
      assert.equal(await permissions.has(root, deleteArticlePermission), true);
      assert.equal(await permissions.has(root, 'nothing.made_up'), true);
    });

    dbTest('an inactive superuser has no permission at all', async ({ store, permissions, newUser }) => {
      const root = await newUser('root', { isSuperuser: true, isActive: false });
      await store.grant(root.id, deleteArticlePermission);
      await store.addUserToGroup(root.id, moderatorsGroup);
      assert.equal(await permissions.has(root, deleteArticlePermission), false);
      assert.equal(await permissions.has(root, 'nothing.made_up'), false);
    });

    dbTest('an inactive user has none of the permissions they hold, directly or through a group', async ({ store, permissions, newUser }) => {
      const direct = await newUser('direct', { isActive: false });
      const member = await newUser('member', { isActive: false });
      assert.equal(await store.grant(direct.id, deleteArticlePermission), true);
      assert.equal(await store.addUserToGroup(member.id, moderatorsGroup), true);
      assert.equal((await store.permissionsOf(direct.id)).has(deleteArticlePermission), true, 'the grant is stored');
      assert.equal((await store.permissionsOf(member.id)).has(deleteArticlePermission), true, 'the membership is stored');
      assert.equal(await permissions.has(direct, deleteArticlePermission), false);
      assert.equal(await permissions.has(member, deleteArticlePermission), false);
    });

    dbTest('is_staff alone gives no permission', async ({ permissions, newUser }) => {
      const staff = await newUser('staff', { isStaff: true });
      assert.equal(staff.isStaff, true);
      assert.equal(await permissions.has(staff, deleteArticlePermission), false);
      assert.equal(await permissions.has(staff, 'admin.view_logentry'), false);
    });

    dbTest('leaving a group takes its permissions away, but not the same permission granted directly', async ({ store, permissions, newUser }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      await store.addUserToGroup(alice.id, moderatorsGroup);
      await store.addUserToGroup(bob.id, moderatorsGroup);
      await store.grant(bob.id, deleteArticlePermission);

      await store.removeUserFromGroup(alice.id, moderatorsGroup);
      await store.removeUserFromGroup(bob.id, moderatorsGroup);
      assert.equal(await permissions.has(alice, deleteArticlePermission), false);
      assert.deepEqual(await store.permissionsOf(alice.id), new Set());
      assert.equal(await permissions.has(bob, deleteArticlePermission), true, 'his direct grant stays');
    });

    dbTest('revoking a direct grant takes it away, but not the same permission held through a group', async ({ store, permissions, newUser }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      await store.grant(alice.id, deleteArticlePermission);
      await store.grant(bob.id, deleteArticlePermission);
      await store.addUserToGroup(bob.id, moderatorsGroup);

      await store.revoke(alice.id, deleteArticlePermission);
      await store.revoke(bob.id, deleteArticlePermission);
      assert.equal(await permissions.has(alice, deleteArticlePermission), false);
      assert.equal(await permissions.has(bob, deleteArticlePermission), true, 'his group still gives it');
    });

    dbTest('leaving one user’s group or revoking one user’s grant leaves other users alone', async ({ store, permissions, newUser }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      for (const user of [alice, bob]) {
        await store.addUserToGroup(user.id, moderatorsGroup);
        await store.ensurePermission('blog.add_post', 'Can add post');
        await store.grant(user.id, 'blog.add_post');
      }
      await store.removeUserFromGroup(alice.id, moderatorsGroup);
      await store.revoke(alice.id, 'blog.add_post');
      assert.deepEqual(await store.permissionsOf(alice.id), new Set());
      assert.deepEqual(await store.permissionsOf(bob.id), new Set([deleteArticlePermission, 'blog.add_post']));
      assert.equal(await permissions.has(bob, deleteArticlePermission), true);
    });

    dbTest('deleting a user deletes their group memberships and grants, not the groups or permissions', async ({ db, users, store, newUser }) => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      await store.ensurePermission('blog.add_post', 'Can add post');
      for (const user of [alice, bob]) {
        await store.addUserToGroup(user.id, moderatorsGroup);
        await store.grant(user.id, 'blog.add_post');
      }
      assert.equal(await linkCount(db, 'user_groups', alice.id), 1);
      assert.equal(await linkCount(db, 'user_permissions', alice.id), 1);

      await users.delete(alice.id);
      assert.equal(await linkCount(db, 'user_groups', alice.id), 0);
      assert.equal(await linkCount(db, 'user_permissions', alice.id), 0);
      assert.deepEqual(await store.permissionsOf(alice.id), new Set());
      assert.deepEqual(await store.permissionsOf(bob.id), new Set([deleteArticlePermission, 'blog.add_post']), 'the others keep theirs');
      const group = await db.kysely.selectFrom('groups').select('name').where('name', '=', moderatorsGroup).executeTakeFirst();
      assert.deepEqual(group, { name: moderatorsGroup });
      const permission = await db.kysely.selectFrom('permissions').select('codename').where('codename', '=', 'blog.add_post').executeTakeFirst();
      assert.deepEqual(permission, { codename: 'blog.add_post' });
    });

    dbTest('a malformed codename is refused and creates nothing', async ({ db, store }) => {
      const before = await db.kysely.selectFrom('permissions').select('codename').execute();
      for (const bad of ['', 'delete_article', 'articles.', '.delete_article', 'Articles.delete_article', 'articles.delete-article', 'a.b.c', 'articles. delete', '1app.add_x']) {
        await assert.rejects(store.ensurePermission(bad, 'bad'), /not a permission name/, `"${bad}" was accepted`);
      }
      const after = await db.kysely.selectFrom('permissions').select('codename').execute();
      assert.deepEqual(after, before);
    });

    dbTest('unknown permissions and groups are refused instead of being created on the fly', async ({ db, store, newUser }) => {
      const alice = await newUser('alice');
      assert.equal(await store.grant(alice.id, 'blog.add_post'), false);
      assert.equal(await store.grant(alice.id, 'not a codename'), false);
      assert.equal(await store.addUserToGroup(alice.id, 'editors'), false);
      await assert.rejects(store.ensureGroup('editors', ['blog.never_made']), /unknown permission/);
      assert.deepEqual(await store.permissionsOf(alice.id), new Set());
      assert.equal(await linkCount(db, 'user_permissions', alice.id), 0);
      assert.equal(await linkCount(db, 'user_groups', alice.id), 0);
      // Taking away what was never there is not an error.
      await store.revoke(alice.id, 'blog.add_post');
      await store.removeUserFromGroup(alice.id, 'no-such-group');
      await store.revoke(alice.id, deleteArticlePermission);
      await store.removeUserFromGroup(alice.id, moderatorsGroup);
      assert.deepEqual(await store.permissionsOf(alice.id), new Set());
    });
  });
}

describe('permission codenames', () => {
  test('are "app.action_model" in lower case', () => {
    for (const good of ['articles.delete_article', 'auth.change_user', 'a.b', 'app2.view_model3']) {
      assert.equal(isPermissionCodename(good), true, good);
    }
    for (const bad of ['', 'articles', 'articles.', '.x', 'Articles.delete', 'articles.Delete', 'a.b.c', 'a-b.c', 'a.b-c', '1a.b', 'a.1b', ' a.b', 'a.b ', 'a.b\n']) {
      assert.equal(isPermissionCodename(bad), false, JSON.stringify(bad));
    }
  });
});
