// Raw HTML enters a page only through trustedHtml(), and only where this list says: a new use
// fails here until it is added, by someone who has checked that what it inserts is the site's own.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const siteSources = join(repository, 'site', 'src');
const helper = 'site/src/pages/trusted-html.ts';

/**
 * Every call, as `file: the line`: the article list ArticleList rendered and the cache kept, and
 * the page frame the layout rendered once, whose holes HtmlTemplate fills with escaped values.
 */
const expectedUses = [
  'site/src/pages/articles-page.tsx: {trustedHtml(listHtml)}',
  'site/src/pages/home-page.tsx: {trustedHtml(listHtml)}',
  'site/src/pages/layout.tsx: {trustedHtml(frame.close)}',
  'site/src/pages/layout.tsx: {trustedHtml(frame.open.fill({ title, username, next: page.path }))}',
];

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** The lines of the site's sources that match `pattern`, as `file: the line`, outside `except`. */
function linesMatching(pattern: RegExp, except: string): string[] {
  const found: string[] = [];
  for (const file of sources(siteSources)) {
    const name = relative(repository, file);
    if (name === except) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (pattern.test(line)) found.push(`${name}: ${line.trim()}`);
    }
  }
  return found.sort();
}

test('trustedHtml is called only where the list says', () => {
  assert.deepEqual(linesMatching(/\btrustedHtml\(/, helper), expectedUses);
});

test('no other way to write raw HTML is used in the site', () => {
  // preact's own escape hatch, and the template nodes trustedHtml is built on.
  assert.deepEqual(linesMatching(/dangerouslySetInnerHTML|\bjsxTemplate\b|preact\/jsx-runtime/, helper), []);
});
