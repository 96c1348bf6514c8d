// Authorization, Django's way: permissions named "app.action_model", granted to users directly or
// through groups; an active superuser has them all; is_staff is a flag, not a permission.
import type { User } from '../users/user.ts';

/** Where permissions and groups are kept: Django's Permission and Group models and their links to users. */
export interface PermissionStore {
  /** every permission the user holds, directly or through a group, as "app.action_model" */
  permissionsOf(userId: number): Promise<Set<string>>;
  /** creates the permission if needed */
  ensurePermission(codename: string, name: string): Promise<void>;
  /** creates the group if needed and gives it these permissions */
  ensureGroup(name: string, permissions: readonly string[]): Promise<void>;
  addUserToGroup(userId: number, group: string): Promise<boolean>;
  removeUserFromGroup(userId: number, group: string): Promise<void>;
  grant(userId: number, codename: string): Promise<boolean>;
  revoke(userId: number, codename: string): Promise<void>;
}

const codenamePattern = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** True for a permission name of Django's form "app.action_model", in lower case. */
export function isPermissionCodename(value: string): boolean {
  return codenamePattern.test(value);
}

/** What a user may do, Django's way: an active superuser has every permission, an inactive user none. */
export class Permissions {
  readonly store: PermissionStore;

  constructor(store: PermissionStore) {
    this.store = store;
  }

  /** Django's user.has_perm: inactive users have none, active superusers have all. */
  async has(user: User<any>, permission: string): Promise<boolean> {
    if (!user.isActive) return false;
    if (user.isSuperuser) return true;
    return (await this.store.permissionsOf(user.id)).has(permission);
  }
}
