// Permissions and groups in the SQL database.
import type { Db } from '../../db/database.ts';
import { isPermissionCodename, type PermissionStore } from './permissions.ts';

/** Permissions and groups in the SQL database, on SQLite or PostgreSQL. */
export class SqlPermissionStore implements PermissionStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async permissionsOf(userId: number): Promise<Set<string>> {
    const direct = this.#db.kysely
      .selectFrom('user_permissions')
      .innerJoin('permissions', 'permissions.id', 'user_permissions.permission_id')
      .select('permissions.codename')
      .where('user_permissions.user_id', '=', userId);
    const viaGroups = this.#db.kysely
      .selectFrom('user_groups')
      .innerJoin('group_permissions', 'group_permissions.group_id', 'user_groups.group_id')
      .innerJoin('permissions', 'permissions.id', 'group_permissions.permission_id')
      .select('permissions.codename')
      .where('user_groups.user_id', '=', userId);
    const rows = await direct.union(viaGroups).execute();
    return new Set(rows.map((row) => row.codename));
  }

  async ensurePermission(codename: string, name: string): Promise<void> {
    if (!isPermissionCodename(codename)) throw new Error(`not a permission name: ${codename}`);
    await this.#db.kysely
      .insertInto('permissions')
      .values({ codename, name })
      .onConflict((conflict) => conflict.column('codename').doNothing())
      .execute();
  }

  async ensureGroup(name: string, permissions: readonly string[]): Promise<void> {
    await this.#db.kysely.insertInto('groups').values({ name }).onConflict((conflict) => conflict.column('name').doNothing()).execute();
    const group = await this.#groupId(name);
    for (const codename of permissions) {
      const permission = await this.#permissionId(codename);
      if (group === null || permission === null) throw new Error(`unknown permission ${codename}`);
      await this.#db.kysely
        .insertInto('group_permissions')
        .values({ group_id: group, permission_id: permission })
        .onConflict((conflict) => conflict.columns(['group_id', 'permission_id']).doNothing())
        .execute();
    }
  }

  async addUserToGroup(userId: number, group: string): Promise<boolean> {
    const groupId = await this.#groupId(group);
    if (groupId === null) return false;
    await this.#db.kysely
      .insertInto('user_groups')
      .values({ user_id: userId, group_id: groupId })
      .onConflict((conflict) => conflict.columns(['user_id', 'group_id']).doNothing())
      .execute();
    return true;
  }

  async removeUserFromGroup(userId: number, group: string): Promise<void> {
    const groupId = await this.#groupId(group);
    if (groupId === null) return;
    await this.#db.kysely.deleteFrom('user_groups').where('user_id', '=', userId).where('group_id', '=', groupId).execute();
  }

  async grant(userId: number, codename: string): Promise<boolean> {
    const permission = await this.#permissionId(codename);
    if (permission === null) return false;
    await this.#db.kysely
      .insertInto('user_permissions')
      .values({ user_id: userId, permission_id: permission })
      .onConflict((conflict) => conflict.columns(['user_id', 'permission_id']).doNothing())
      .execute();
    return true;
  }

  async revoke(userId: number, codename: string): Promise<void> {
    const permission = await this.#permissionId(codename);
    if (permission === null) return;
    await this.#db.kysely.deleteFrom('user_permissions').where('user_id', '=', userId).where('permission_id', '=', permission).execute();
  }

  async #groupId(name: string): Promise<number | null> {
    const row = await this.#db.kysely.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirst();
    return row ? Number(row.id) : null;
  }

  async #permissionId(codename: string): Promise<number | null> {
    const row = await this.#db.kysely.selectFrom('permissions').select('id').where('codename', '=', codename).executeTakeFirst();
    return row ? Number(row.id) : null;
  }
}
