// The few column types whose spelling differs between SQLite and PostgreSQL; migrations use only these.
import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type CreateTableBuilder, type Expression } from 'kysely';
import type { DialectName } from './database.ts';

/**
 * The column types whose spelling differs between SQLite and PostgreSQL; a migration that uses only these
 * runs on both.
 */
export interface ColumnTypes {
  /** an auto-incrementing integer primary key */
  id: ColumnDataType;
  /** integer milliseconds and foreign keys to ids */
  bigint: ColumnDataType;
  /** makes a table STRICT on SQLite, so a wrong type is an error rather than a silent conversion */
  strict<T extends string, C extends string>(table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C>;
  /** makes the `id` column a primary key that generates its value: `.addColumn('id', types.id, types.generatedKey)` */
  generatedKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

/** The spellings for `dialect`; `migrate` hands them to every migration. */
export function columnTypes(dialect: DialectName): ColumnTypes {
  if (dialect === 'sqlite') {
    return {
      id: 'integer',
      bigint: 'integer',
      generatedKey: (column) => column.primaryKey().autoIncrement(),
      strict: (table) => table.modifyEnd(sql`strict` as Expression<unknown>),
    };
  }
  return { id: 'bigint', bigint: 'bigint', generatedKey: (column) => column.primaryKey().generatedByDefaultAsIdentity(), strict: (table) => table };
}
