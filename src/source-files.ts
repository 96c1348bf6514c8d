// Where tessera's own files (templates, static files, data) are, whether it runs from its
// TypeScript sources or from the bundle bin/tessera.js builds, which points import.meta.url here.
import { fileURLToPath } from 'node:url';

const sourceRoot = new URL('./', import.meta.url);

/** The path of a file or folder under src/, e.g. sourcePath('site/templates/'). */
export function sourcePath(relative: string): string {
  return fileURLToPath(new URL(relative, sourceRoot));
}
