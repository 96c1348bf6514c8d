// Sessions in Redis: a hash per session that expires with it, and a set of ids per user for listing.
import type { RedisClient } from '../redis-client.ts';
import { parseSessionData, type SessionRecord, type SessionStore } from './session-store.ts';

const sessionPrefix = 'tessera:session:';
const userPrefix = 'tessera:user-sessions:';

// Writes last_seen only into a session that still exists, so a touch racing a delete cannot
// leave a stray, never-expiring hash behind.
const touchScript = "if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], 'lastSeen', ARGV[1]) end return 0";

function toHash(record: SessionRecord) {
  return {
    secretHash: record.secretHash,
    userId: record.userId === null ? '' : String(record.userId),
    data: JSON.stringify(record.data),
    createdAt: String(record.createdAt),
    lastSeen: String(record.lastSeen),
    expiresAt: String(record.expiresAt),
    persistent: record.persistent ? '1' : '0',
    ip: record.ip,
    userAgent: record.userAgent,
  };
}

function fromHash(id: string, hash: Record<string, string>): SessionRecord | null {
  if (hash.secretHash === undefined || hash.expiresAt === undefined) return null;
  return {
    id,
    secretHash: hash.secretHash,
    userId: hash.userId ? Number(hash.userId) : null,
    data: parseSessionData(hash.data ?? '{}'),
    createdAt: Number(hash.createdAt),
    lastSeen: Number(hash.lastSeen),
    expiresAt: Number(hash.expiresAt),
    persistent: hash.persistent === '1',
    ip: hash.ip ?? '',
    userAgent: hash.userAgent ?? '',
  };
}

/** Sessions in Redis: a hash per session that expires with it, and a set of ids per user for listing. */
export class RedisSessionStore implements SessionStore {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async load(id: string): Promise<SessionRecord | null> {
    return fromHash(id, await this.#client.hGetAll(sessionPrefix + id));
  }

  async create(record: SessionRecord): Promise<void> {
    await this.#write(record);
  }

  async update(record: SessionRecord): Promise<void> {
    // Only a session that still exists is rewritten; a revoked one stays revoked.
    if ((await this.#client.exists(sessionPrefix + record.id)) === 0) return;
    // Only the fields update() owns: a whole-record write would put back a lastSeen older than
    // a concurrent touch, and, racing a delete, revive the session with its secretHash (without
    // it, load() reads the leftover as no session).
    const { userId, data, expiresAt, persistent } = toHash(record);
    await this.#write(record, { userId, data, expiresAt, persistent });
  }

  async #write(record: SessionRecord, fields: Record<string, string> = toHash(record)): Promise<void> {
    const key = sessionPrefix + record.id;
    const multi = this.#client.multi().hSet(key, fields).pExpireAt(key, record.expiresAt);
    if (record.userId !== null) {
      const userKey = userPrefix + record.userId;
      // The set lives as long as its longest session: NX gives a new set a TTL, GT only extends it.
      multi.sAdd(userKey, record.id).pExpireAt(userKey, record.expiresAt, 'NX').pExpireAt(userKey, record.expiresAt, 'GT');
    }
    await multi.exec();
  }

  async touch(id: string, lastSeen: number): Promise<void> {
    await this.#client.eval(touchScript, { keys: [sessionPrefix + id], arguments: [String(lastSeen)] });
  }

  async delete(id: string): Promise<void> {
    const userId = await this.#client.hGet(sessionPrefix + id, 'userId');
    const multi = this.#client.multi().del(sessionPrefix + id);
    if (userId) multi.sRem(userPrefix + userId, id);
    await multi.exec();
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    const ids = await this.#client.sMembers(userPrefix + userId);
    const records: SessionRecord[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const record = await this.load(id);
      if (record && record.userId === userId) records.push(record);
      else gone.push(id);
    }
    // Sessions that expired on their own leave their id in the set; tidy it while here.
    if (gone.length > 0) await this.#client.sRem(userPrefix + userId, gone);
    return records.sort((a, b) => b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1));
  }

  async deleteForUser(userId: number, exceptId?: string): Promise<number> {
    const ids = (await this.#client.sMembers(userPrefix + userId)).filter((id) => id !== exceptId);
    if (ids.length === 0) return 0;
    const deleted = await this.#client.del(ids.map((id) => sessionPrefix + id));
    await this.#client.sRem(userPrefix + userId, ids);
    return Number(deleted);
  }

  async clearExpired(now: number, idleBefore: number): Promise<number> {
    // Redis drops sessions past their absolute expiry itself; idle ones are found here.
    let removed = 0;
    for await (const batch of this.#client.scanIterator({ MATCH: `${sessionPrefix}*`, COUNT: 1000 })) {
      for (const key of Array.isArray(batch) ? batch : [batch]) {
        const [lastSeen, expiresAt] = await this.#client.hmGet(key, ['lastSeen', 'expiresAt']);
        if (Number(expiresAt) <= now || Number(lastSeen) < idleBefore) {
          await this.delete(key.slice(sessionPrefix.length));
          removed += 1;
        }
      }
    }
    return removed;
  }
}
