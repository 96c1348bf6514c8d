// Where the site's own files (its static files) are: beside its modules, whether it runs
// from its TypeScript sources or bundled by the `tessera` command (which keeps import.meta.url).
import { fileURLToPath } from 'node:url';

const siteRoot = new URL('./', import.meta.url);

/** The path of a file or folder under site/src/, e.g. sitePath('static/'). */
export function sitePath(relative: string): string {
  return fileURLToPath(new URL(relative, siteRoot));
}
