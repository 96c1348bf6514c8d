// Copies a Django project's users, groups and permissions into tessera's tables: groups and
// permissions first, then users a batch per transaction, each with its memberships.
import type { Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { Passwords } from '../passwords/passwords.ts';
import { isPermissionCodename } from '../permissions/permissions.ts';
import type { DjangoDatabase, DjangoLink, DjangoUserRow } from './django-database.ts';
import { mapDjangoUser, type MappedUser } from './django-user.ts';
import { emptySummary, type ImportSummary } from './import-summary.ts';

export interface DjangoImportOptions {
  source: DjangoDatabase;
  /** tessera's database, migrated */
  target: Db;
  /** the app's password hashing, to report the hashes no hasher of it can check */
  passwords: Passwords;
  /** read and compare everything, write nothing (default false) */
  dryRun?: boolean;
  /** users read and written per transaction (default 1000) */
  batchSize?: number;
  /** called after each batch with the users done so far and the users in Django */
  onProgress?: (done: number, total: number) => void;
}

/** Django ids to tessera ids. */
type IdMap = Map<number, number>;

/**
 * In a dry run, what the run would create has no id yet: each gets a stand-in below zero, which
 * is counted like an id and never written.
 */
type StandIns = () => number;

const DEFAULT_BATCH_SIZE = 1000;

/** Rows per INSERT: 11 parameters each for users, under SQLite's 32,766 and PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 1000;

function chunks<T>(rows: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) result.push(rows.slice(start, start + ROWS_PER_INSERT));
  return result;
}

async function insertLinks(db: Kysely<Database>, table: 'user_groups' | 'user_permissions' | 'group_permissions', rows: Array<Record<string, number>>): Promise<void> {
  // The rows are new by construction; a concurrent writer's duplicate is no reason to fail.
  for (const chunk of chunks(rows)) await db.insertInto(table).values(chunk as never).onConflict((conflict) => conflict.doNothing()).execute();
}

/** Each (from, to) once, with both ends mapped; a link to something skipped is dropped. */
function mapLinks(links: DjangoLink[], from: IdMap, to: IdMap): Array<[number, number]> {
  const seen = new Set<string>();
  const mapped: Array<[number, number]> = [];
  for (const link of links) {
    const left = from.get(link.from);
    const right = to.get(link.to);
    if (left === undefined || right === undefined) continue;
    const key = `${left}:${right}`;
    if (seen.has(key)) continue;
    seen.add(key);
    mapped.push([left, right]);
  }
  return mapped;
}

function hasNul(text: string): boolean {
  return text.includes('\0');
}

/** Permissions by tessera name (existing ones reused), then groups by name (existing ones kept as they are, with their permissions). */
async function importGroupsAndPermissions(db: Kysely<Database>, source: DjangoDatabase, summary: ImportSummary, standIn: StandIns): Promise<{ permissions: IdMap; groups: IdMap }> {
  const permissions: IdMap = new Map();
  const existingPermissions = new Map((await db.selectFrom('permissions').select(['id', 'codename']).execute()).map((row) => [row.codename, Number(row.id)]));
  const newPermissions = new Map<string, { codename: string; name: string; djangoIds: number[] }>();
  for (const permission of await source.permissions()) {
    if (!isPermissionCodename(permission.codename) || hasNul(permission.name)) {
      summary.permissions.skipped.push({ djangoId: permission.id, name: permission.codename, reason: hasNul(permission.name) ? 'its name holds a NUL character' : 'not of the form app_label.codename in lower-case letters, digits and _' });
      continue;
    }
    const existing = existingPermissions.get(permission.codename);
    if (existing !== undefined) {
      permissions.set(permission.id, existing);
      continue;
    }
    // Two models of one app may each have a custom "can_publish": one tessera permission for both.
    const planned = newPermissions.get(permission.codename) ?? { codename: permission.codename, name: permission.name, djangoIds: [] };
    planned.djangoIds.push(permission.id);
    newPermissions.set(permission.codename, planned);
  }
  summary.permissions.existing = new Set(permissions.values()).size;
  summary.permissions.created = newPermissions.size;
  const createdPermissions = await insertNamed(db, 'permissions', 'codename', [...newPermissions.values()].map(({ codename, name }) => ({ codename, name })), summary.dryRun && standIn);
  for (const planned of newPermissions.values()) for (const djangoId of planned.djangoIds) permissions.set(djangoId, createdPermissions.get(planned.codename)!);

  const groups: IdMap = new Map();
  const existingGroups = new Map((await db.selectFrom('groups').select(['id', 'name']).execute()).map((row) => [row.name, Number(row.id)]));
  const newGroups: Array<{ djangoId: number; name: string }> = [];
  for (const group of await source.groups()) {
    if (group.name === '' || hasNul(group.name)) {
      summary.groups.skipped.push({ djangoId: group.id, name: group.name, reason: group.name === '' ? 'the name is empty' : 'the name holds a NUL character' });
      continue;
    }
    const existing = existingGroups.get(group.name);
    if (existing === undefined) {
      newGroups.push({ djangoId: group.id, name: group.name });
    } else {
      groups.set(group.id, existing);
      summary.groups.existing.push(group.name);
    }
  }
  summary.groups.created = newGroups.length;
  const createdGroups = await insertNamed(db, 'groups', 'name', newGroups.map(({ name }) => ({ name })), summary.dryRun && standIn);
  for (const group of newGroups) groups.set(group.djangoId, createdGroups.get(group.name)!);

  // Only the groups made here get Django's permissions: a group tessera had is the site's to define.
  const created = new Map(newGroups.map((group) => [group.djangoId, groups.get(group.djangoId)!]));
  const groupPermissions = mapLinks(await source.groupPermissions(), created, permissions);
  summary.added.groupPermissions = groupPermissions.length;
  if (!summary.dryRun) await insertLinks(db, 'group_permissions', groupPermissions.map(([group_id, permission_id]) => ({ group_id, permission_id })));
  return { permissions, groups };
}

/** Inserts rows of a table with a unique name column; their ids by name (stand-ins in a dry run). */
async function insertNamed<Row extends Record<string, string>>(db: Kysely<Database>, table: 'permissions' | 'groups', key: keyof Row & string, rows: Row[], dryRunStandIn: StandIns | false): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (dryRunStandIn !== false) {
    for (const row of rows) ids.set(row[key]!, dryRunStandIn());
    return ids;
  }
  for (const chunk of chunks(rows)) {
    const inserted = await db
      .insertInto(table)
      .values(chunk as never)
      .returning(['id', key as never])
      .execute();
    for (const row of inserted as Array<Record<string, unknown>>) ids.set(String(row[key]), Number(row.id));
  }
  return ids;
}

/** Inserts the users, their tessera ids by Django id; one whose name was taken meanwhile is a conflict. */
async function insertUsers(db: Kysely<Database>, toInsert: Array<{ djangoId: number; user: MappedUser['row'] }>, summary: ImportSummary): Promise<IdMap> {
  const ids = new Map<string, number>();
  for (const chunk of chunks(toInsert)) {
    const inserted = await db
      .insertInto('users')
      .values(chunk.map(({ user }) => user))
      // Taken by a sign-up since planBatch looked: whoever signed up keeps it.
      .onConflict((conflict) => conflict.column('username_normalized').doNothing())
      .returning(['id', 'username_normalized'])
      .execute();
    for (const row of inserted) ids.set(row.username_normalized, Number(row.id));
    // The audit trail's "imported", in the same transaction: the user sees it among their activity.
    const now = Date.now();
    if (inserted.length > 0) {
      await db
        .insertInto('auth_events')
        .values(inserted.map((row) => ({ user_id: Number(row.id), kind: 'imported', reason: 'from Django', session_id: '', address: '', user_agent: 'tessera import-django', created_at: now })))
        .execute();
    }
  }
  const users: IdMap = new Map();
  const lost = toInsert.filter(({ user }) => !ids.has(user.username_normalized));
  const holders = lost.length === 0 ? [] : await db.selectFrom('users').select(['id', 'username', 'username_normalized']).where('username_normalized', 'in', lost.map(({ user }) => user.username_normalized)).execute();
  const holderByKey = new Map(holders.map((row) => [row.username_normalized, row]));
  for (const { djangoId, user } of toInsert) {
    const id = ids.get(user.username_normalized);
    const holder = holderByKey.get(user.username_normalized);
    if (id !== undefined) users.set(djangoId, id);
    else if (holder !== undefined) summary.users.conflicts.push({ djangoId, username: user.username, takenBy: { tesseraId: Number(holder.id), username: holder.username } });
  }
  return users;
}

/**
 * What becomes of each Django user of a batch, decided against tessera's users and those taken
 * earlier in this run: the ones to insert. A sign-up that takes a name after this looked is
 * caught by insertUsers.
 */
async function planBatch(db: Kysely<Database>, batch: DjangoUserRow[], takenInRun: Map<string, { djangoId: number; username: string }>, summary: ImportSummary): Promise<Array<{ djangoId: number; user: MappedUser['row'] }>> {
  const mapped: Array<{ django: DjangoUserRow; user: MappedUser['row'] }> = [];
  for (const django of batch) {
    const result = mapDjangoUser(django);
    if (result.ok) mapped.push({ django, user: result.row });
    else summary.users.skipped.push({ djangoId: django.id, name: django.username, reason: result.reason });
  }
  const keys = [...new Set(mapped.map(({ user }) => user.username_normalized))];
  const existing =
    keys.length === 0
      ? []
      : await db.selectFrom('users').select(['id', 'username', 'username_normalized', 'date_joined']).where('username_normalized', 'in', keys).execute();
  const byKey = new Map(existing.map((row) => [row.username_normalized, row]));
  const toInsert: Array<{ djangoId: number; user: MappedUser['row'] }> = [];
  for (const { django, user } of mapped) {
    const earlier = takenInRun.get(user.username_normalized);
    const holder = byKey.get(user.username_normalized);
    if (earlier !== undefined) {
      summary.users.conflicts.push({ djangoId: django.id, username: django.username, takenBy: earlier });
    } else if (holder !== undefined) {
      // The same username and the same moment of joining: this user, brought over by an earlier run.
      if (holder.username === user.username && Number(holder.date_joined) === user.date_joined) summary.users.alreadyImported += 1;
      else summary.users.conflicts.push({ djangoId: django.id, username: django.username, takenBy: { tesseraId: Number(holder.id), username: holder.username } });
      takenInRun.set(user.username_normalized, { djangoId: django.id, username: django.username });
    } else {
      toInsert.push({ djangoId: django.id, user });
      takenInRun.set(user.username_normalized, { djangoId: django.id, username: django.username });
    }
  }
  return toInsert;
}

/** One more user imported, and what its password hash is to tessera. */
function countImported(summary: ImportSummary, passwords: Passwords, encoded: string): void {
  summary.users.imported += 1;
  if (!passwords.isUsable(encoded)) {
    summary.passwords.unusable += 1;
  } else if (!passwords.canCheck(encoded)) {
    const algorithm = /^([A-Za-z0-9_]+)\$/.exec(encoded)?.[1] ?? 'an unrecognised algorithm';
    summary.passwords.unreadable[algorithm] = (summary.passwords.unreadable[algorithm] ?? 0) + 1;
  }
}

/**
 * Imports (or, with `dryRun`, plans) a Django database into tessera's: every auth_user row
 * tessera can hold whose username is free, with its password hash unchanged, then its groups and
 * direct permissions; groups and permissions are matched by name. Django's ids never reach
 * tessera's tables. Running it again adds only what is new: a user counts as already imported
 * when a tessera user has its exact username and date joined, and as a conflict (skipped, never
 * merged) when the username is someone else's, in any case or width.
 */
export async function importDjango(options: DjangoImportOptions): Promise<ImportSummary> {
  const { source, target, passwords } = options;
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const summary = emptySummary(dryRun);
  let lastStandIn = 0;
  const standIn: StandIns = () => (lastStandIn -= 1);
  const total = await source.countUsers();
  options.onProgress?.(0, total);

  const { permissions, groups } = dryRun
    ? await importGroupsAndPermissions(target.kysely, source, summary, standIn)
    : await target.kysely.transaction().execute((trx) => importGroupsAndPermissions(trx, source, summary, standIn));

  const takenInRun = new Map<string, { djangoId: number; username: string }>();
  for await (const batch of source.userBatches(batchSize)) {
    summary.users.read += batch.length;
    const toInsert = await planBatch(target.kysely, batch, takenInRun, summary);
    if (toInsert.length > 0) {
      // Read before the transaction, so that a SQLite target is not held while Django's answers.
      const first = batch[0]!.id;
      const last = batch[batch.length - 1]!.id;
      const [groupLinks, permissionLinks] = [await source.userGroups(first, last), await source.userPermissions(first, last)];
      const write = async (db: Kysely<Database>) => {
        const users = dryRun ? new Map(toInsert.map(({ djangoId }) => [djangoId, standIn()])) : await insertUsers(db, toInsert, summary);
        for (const { djangoId, user } of toInsert) if (users.has(djangoId)) countImported(summary, passwords, user.password);
        const userGroups = mapLinks(groupLinks, users, groups);
        const userPermissions = mapLinks(permissionLinks, users, permissions);
        summary.added.userGroups += userGroups.length;
        summary.added.userPermissions += userPermissions.length;
        if (dryRun) return;
        await insertLinks(db, 'user_groups', userGroups.map(([user_id, group_id]) => ({ user_id, group_id })));
        await insertLinks(db, 'user_permissions', userPermissions.map(([user_id, permission_id]) => ({ user_id, permission_id })));
      };
      if (dryRun) await write(target.kysely);
      else await target.kysely.transaction().execute(write);
    }
    options.onProgress?.(summary.users.read, total);
  }
  return summary;
}
