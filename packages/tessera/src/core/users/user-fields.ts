// How an application adds its own fields to the user without forking tessera.
import type { z } from 'zod';

/**
 * One zod schema per extra column of the users table. The application adds the columns with
 * a migration of its own; tessera reads them into `user.extra`, validated, and writes them back.
 *
 * @example
 * const fields = { bio: z.string().default('') } satisfies UserFields<{ bio: string }>;
 */
export type UserFields<Extra extends object> = { [K in keyof Extra]: z.ZodType<Extra[K]> };

export function readExtra<Extra extends object>(fields: UserFields<Extra>, row: Record<string, unknown>): Extra {
  const extra: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields) as [string, z.ZodType][]) {
    const parsed = schema.safeParse(row[name] ?? undefined);
    extra[name] = parsed.success ? parsed.data : undefined;
  }
  return extra as Extra;
}

export function writeExtra<Extra extends object>(fields: UserFields<Extra>, extra: Partial<Extra>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields) as [string, z.ZodType][]) {
    if (name in extra) columns[name] = schema.parse((extra as Record<string, unknown>)[name]);
  }
  return columns;
}
