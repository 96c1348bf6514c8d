// npm test: builds the library (the site, the site's tests and the consumer test use it as its
// users do, through dist/), type-checks the library and everything else, then runs every
// *.test.ts and *.test.tsx with node:test through tsx. Node 20's --test takes no globs, so files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const testFolders = ['packages/tessera/test', 'site/test', 'test'];

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') || name.endsWith('.test.tsx') ? [path] : [];
  });
}

function step(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const only = process.argv.slice(2);
step('npm', ['run', 'build', '--silent']);
if (only.length === 0) {
  step('npx', ['tsc', '--noEmit', '-p', 'packages/tessera']);
  step('npx', ['tsc', '--noEmit', '-p', '.']);
}
const files = only.length > 0 ? only : testFolders.flatMap(find).sort();
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(run.status ?? 1);
