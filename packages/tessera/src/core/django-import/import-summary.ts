// What a Django import did (or, dry, would do), and the report an operator reads at its end.

/** A Django user left out because its username is already someone's, ignoring case and width. */
export interface UsernameConflict {
  djangoId: number;
  username: string;
  /** whose name it is: a tessera user, or a Django user this import took first */
  takenBy: { tesseraId: number; username: string } | { djangoId: number; username: string };
}

/** A Django user, group or permission tessera cannot hold, and why. */
export interface Refusal {
  djangoId: number;
  name: string;
  reason: string;
}

export interface ImportSummary {
  dryRun: boolean;
  users: {
    /** rows read from auth_user */
    read: number;
    imported: number;
    /** imported by an earlier run: same username, same date joined */
    alreadyImported: number;
    conflicts: UsernameConflict[];
    skipped: Refusal[];
  };
  groups: { created: number; existing: string[]; skipped: Refusal[] };
  permissions: { created: number; existing: number; skipped: Refusal[] };
  added: { userGroups: number; userPermissions: number; groupPermissions: number };
  /** of the users imported: those with no usable password, and hashes no configured hasher reads, by algorithm */
  passwords: { unusable: number; unreadable: Record<string, number> };
}

export function emptySummary(dryRun: boolean): ImportSummary {
  return {
    dryRun,
    users: { read: 0, imported: 0, alreadyImported: 0, conflicts: [], skipped: [] },
    groups: { created: 0, existing: [], skipped: [] },
    permissions: { created: 0, existing: 0, skipped: [] },
    added: { userGroups: 0, userPermissions: 0, groupPermissions: 0 },
    passwords: { unusable: 0, unreadable: {} },
  };
}

/** True when the import wrote (or would write) nothing at all. */
export function changedNothing(summary: ImportSummary): boolean {
  const { users, groups, permissions, added } = summary;
  return users.imported + groups.created + permissions.created + added.userGroups + added.userPermissions + added.groupPermissions === 0;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The report: each conflict and refusal on a line of its own, then the counts. */
export function summaryLines(summary: ImportSummary): string[] {
  const { dryRun, users, groups, permissions, added, passwords } = summary;
  const lines: string[] = [];
  for (const conflict of users.conflicts) {
    const owner = 'tesseraId' in conflict.takenBy ? `tessera user "${conflict.takenBy.username}" (id ${conflict.takenBy.tesseraId})` : `Django user "${conflict.takenBy.username}" (id ${conflict.takenBy.djangoId}), imported first`;
    lines.push(`conflict: Django user "${conflict.username}" (id ${conflict.djangoId}) has the username of ${owner}, ignoring case and width: skipped, not merged`);
  }
  for (const refusal of users.skipped) lines.push(`skipped: Django user ${JSON.stringify(refusal.name)} (id ${refusal.djangoId}): ${refusal.reason}`);
  for (const refusal of groups.skipped) lines.push(`skipped: Django group ${JSON.stringify(refusal.name)} (id ${refusal.djangoId}): ${refusal.reason}`);
  for (const refusal of permissions.skipped) lines.push(`skipped: Django permission ${JSON.stringify(refusal.name)} (id ${refusal.djangoId}): ${refusal.reason}`);
  if (lines.length > 0) lines.push('');

  const would = dryRun ? 'would be ' : '';
  if (dryRun) lines.push('dry run: nothing was written');
  if (changedNothing(summary)) lines.push(dryRun ? 'nothing to import: everything is already here' : 'nothing to import: everything is already here, nothing was changed');
  lines.push(
    `users: ${users.imported} ${would}imported, ${users.alreadyImported} already imported, ${plural(users.conflicts.length, 'conflict')}, ${users.skipped.length} skipped (of ${users.read} in Django)`,
  );
  const existing = groups.existing.length > 0 ? ` (${groups.existing.map((name) => JSON.stringify(name)).join(', ')}: kept as they are; Django's members join them)` : '';
  lines.push(`groups: ${groups.created} ${would}created, ${groups.existing.length} already in tessera${existing}, ${groups.skipped.length} skipped`);
  lines.push(`permissions: ${permissions.created} ${would}created, ${permissions.existing} already in tessera, ${permissions.skipped.length} skipped`);
  lines.push(
    `memberships: ${plural(added.userGroups, 'group membership')}, ${plural(added.userPermissions, 'direct permission')} and ${plural(added.groupPermissions, 'group permission')} ${dryRun ? 'would be ' : ''}added`,
  );
  if (passwords.unusable > 0) lines.push(`passwords: ${plural(passwords.unusable, 'user')} with no usable password, kept unusable`);
  for (const [algorithm, count] of Object.entries(passwords.unreadable)) {
    lines.push(`passwords: ${plural(count, 'user')} hashed with ${algorithm}, which tessera cannot check: they must reset their password`);
  }
  return lines;
}
