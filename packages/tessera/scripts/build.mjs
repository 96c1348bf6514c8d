// Builds dist/ from src/: tsc emits ESM, declarations and source maps; data files are copied
// beside the modules that read them; declarations name their imports by the emitted .js files.
// A build whose inputs have not changed since the last one does nothing, and a new dist/ is
// made aside and swapped in whole, so a server or test running from dist/ never sees half of one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-stamp');
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

function walk(directory) {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(directory, entry.name)) : [join(directory, entry.name)]));
}

// Everything the output depends on: the sources, the compiler options, this script, the compiler.
const inputs = [...walk(join(root, 'src')), join(root, 'tsconfig.build.json'), fileURLToPath(import.meta.url), join(dirname(tsc), '..', 'package.json')];
const hash = createHash('sha256');
for (const file of inputs) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
const stamp = hash.digest('hex');
if (!process.argv.includes('--force') && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

const staging = join(root, `dist.${process.pid}`);
rmSync(staging, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

// Files a module reads at run time, by URL relative to itself.
for (const file of walk(join(root, 'src'))) {
  if (/\.(gz|json|txt)$/.test(file)) {
    const target = join(staging, relative(join(root, 'src'), file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}

// tsc keeps "./x.ts" in declarations; a consumer's TypeScript of any version resolves "./x.js".
for (const file of walk(staging)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(file, rewritten);
}

chmodSync(join(staging, 'cli', 'bin.js'), 0o755);
writeFileSync(join(staging, '.build-stamp'), stamp);
const old = join(root, `dist.old.${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
