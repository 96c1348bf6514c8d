// The public API: every name the three entry points export is documented where it is declared
// (TSDoc), and the main factories show an @example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const entryPoints = ['index.ts', 'fastify/index.ts', 'db/index.ts'];

interface Exported {
  name: string;
  file: string;
}

/** The names an entry point re-exports, with the file each comes from. */
export function exportsOf(entry: string): Exported[] {
  const text = readFileSync(join(src, entry), 'utf8');
  const found: Exported[] = [];
  for (const match of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const file = join(dirname(join(src, entry)), match[2]!);
    for (const part of match[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim();
      if (name !== '') found.push({ name, file });
    }
  }
  return found;
}

/** The TSDoc comment right above `name`'s declaration in `file`, or null. */
function docOf({ name, file }: Exported): string | null {
  const lines = readFileSync(file, 'utf8').split('\n');
  const declaration = new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function|class|const|let|interface|type|enum)\\s+${name}\\b`);
  const at = lines.findIndex((line) => declaration.test(line));
  assert.notEqual(at, -1, `${name} is declared in ${file}`);
  if (!lines[at - 1]?.trim().endsWith('*/')) return null;
  let start = at - 1;
  while (start > 0 && !lines[start]!.trim().startsWith('/**')) start -= 1;
  return lines[start]!.trim().startsWith('/**') ? lines.slice(start, at).join('\n') : null;
}

test('every public export has a TSDoc comment where it is declared', () => {
  const undocumented = entryPoints.flatMap(exportsOf).filter((entry) => docOf(entry) === null).map((entry) => entry.name);
  assert.deepEqual(undocumented, []);
});

test('the main factories show an @example', () => {
  const all = entryPoints.flatMap(exportsOf);
  for (const name of ['createTessera', 'loadConfig', 'tesseraPlugin', 'loginRequired', 'userPassesTest', 'openDatabase', 'migrate']) {
    const entry = all.find((candidate) => candidate.name === name);
    assert.ok(entry, `${name} is exported`);
    assert.match(docOf(entry) ?? '', /@example/, name);
  }
});

test('the entry points export what the package.json exports map names, and nothing is exported twice', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(Object.keys(manifest.exports).sort(), ['.', './db', './fastify', './package.json']);
  for (const entry of entryPoints) {
    const names = exportsOf(entry).map((exported) => exported.name);
    assert.deepEqual(names.filter((name, index) => names.indexOf(name) !== index), [], entry);
  }
});
