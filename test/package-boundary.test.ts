// The site uses tessera as any app does: by its package name and public entry points only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repository = fileURLToPath(new URL('../', import.meta.url));
const library = join(repository, 'packages', 'tessera');
const publicEntries = new Set(['tessera', 'tessera/fastify', 'tessera/db']);

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier a file imports, exports from, or loads with import(). */
export function specifiersOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\1/g)) found.push(match[2]!);
  return found;
}

/** What in `files` reaches into the library other than by a public entry point. */
function bypasses(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
      const local = specifier.startsWith('.') ? resolve(dirname(file), specifier) : null;
      const intoLibrary = local !== null && (local === library || local.startsWith(`${library}/`));
      const deepImport = /^tessera(\/|$)/.test(specifier) && !publicEntries.has(specifier);
      if (intoLibrary || deepImport) found.push(`${relative(repository, file)}: ${specifier}`);
    }
  }
  return found;
}

test('the checker sees a library file imported by path and a deep import by name', () => {
  // Built from parts, so that this file itself holds no import of the library by path.
  const byPath = ['..', 'packages', 'tessera', 'src', 'index.ts'].join('/');
  assert.deepEqual(specifiersOf(`import { a } from '${byPath}';\nconst b = await import("tessera/dist/core/auth.js");`), [byPath, 'tessera/dist/core/auth.js']);
});

test('the site, the shared test support and the example app import tessera only by its public entry points', () => {
  const self = fileURLToPath(import.meta.url);
  const files = [...sources(join(repository, 'site')), ...sources(join(repository, 'test')), ...sources(join(repository, 'examples'))].filter((file) => file !== self);
  assert.ok(files.length > 50, `found ${files.length} files`);
  assert.deepEqual(bypasses(files), []);
});
