#!/usr/bin/env -S node --max-old-space-size=256
// The installed binary. It runs tessera's TypeScript as one plain-JavaScript bundle, built with
// esbuild on the first start after a source changed: a TypeScript loader at run time would cost
// every process a loader thread and tens of MiB (see README, "Benchmark").
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sources = join(root, 'src');

/** A fingerprint of every file under src/ (path, size, modification time). */
function fingerprint(directory, hash) {
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) fingerprint(path, hash);
    else {
      const stat = statSync(path);
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
  return hash;
}

const stamp = fingerprint(sources, createHash('sha256')).digest('hex').slice(0, 16);
const bundle = join(root, 'node_modules', '.cache', 'tessera', `cli-${stamp}.mjs`);
if (!existsSync(bundle)) {
  const { build } = await import('esbuild');
  mkdirSync(dirname(bundle), { recursive: true });
  // Written aside, then renamed: processes starting together never import half a file.
  const partial = `${bundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(sources, 'cli.ts')],
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    // Every module finds its files through src/source-files.ts; make that still true here.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(sources, 'source-files.ts')).href) },
  });
  renameSync(partial, bundle);
  // Bundles of sources that are gone are of no further use.
  for (const name of readdirSync(dirname(bundle))) {
    if (name.startsWith('cli-') && join(dirname(bundle), name) !== bundle && !name.endsWith('.tmp')) rmSync(join(dirname(bundle), name), { force: true });
  }
  // esbuild's service process would otherwise live (and hold memory) as long as the server.
  const { stop } = await import('esbuild');
  await stop();
}
await import(pathToFileURL(bundle).href);
