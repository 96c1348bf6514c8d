// The SECRET_KEY: from the environment, or (outside production) generated once and kept in the data folder.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';

export function resolveSecretKey(config: Config): string {
  if (config.secretKey !== undefined) return config.secretKey;
  const path = join(config.dataDir, 'secret_key');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    const key = randomBytes(48).toString('base64url');
    try {
      // 'wx' fails if another process won the race; then its key is the one to use.
      writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
      return key;
    } catch {
      return readFileSync(path, 'utf8').trim();
    }
  }
}
