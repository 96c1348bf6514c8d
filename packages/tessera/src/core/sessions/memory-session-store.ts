// Sessions in this process's memory: for tests and single-process experiments, never shared.
import type { SessionRecord, SessionStore } from './session-store.ts';

function copy(record: SessionRecord): SessionRecord {
  // Callers get copies, like rows from a database, so mutating one never edits the store.
  const { user: _user, ...rest } = record;
  return { ...rest, data: structuredClone(record.data) };
}

/** Sessions in this process's memory: for tests and single-process experiments, never shared. */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, SessionRecord>();

  async load(id: string): Promise<SessionRecord | null> {
    const record = this.#records.get(id);
    return record ? copy(record) : null;
  }

  async create(record: SessionRecord): Promise<void> {
    if (this.#records.has(record.id)) throw new Error(`session ${record.id} exists already`);
    this.#records.set(record.id, copy(record));
  }

  async update(record: SessionRecord): Promise<void> {
    const current = this.#records.get(record.id);
    if (!current) return;
    this.#records.set(record.id, { ...current, data: structuredClone(record.data), userId: record.userId, expiresAt: record.expiresAt, persistent: record.persistent });
  }

  async touch(id: string, lastSeen: number): Promise<void> {
    const current = this.#records.get(id);
    if (current) current.lastSeen = lastSeen;
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    return [...this.#records.values()]
      .filter((record) => record.userId === userId)
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    let removed = 0;
    for (const [id, record] of this.#records) {
      if (record.userId === userId && id !== exceptId) {
        this.#records.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  async clearExpired(now: number, idleBefore: number): Promise<number> {
    let removed = 0;
    for (const [id, record] of this.#records) {
      if (record.expiresAt <= now || record.lastSeen < idleBefore) {
        this.#records.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): number {
    return this.#records.size;
  }
}
