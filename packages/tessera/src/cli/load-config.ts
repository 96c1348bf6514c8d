// Finds and imports the application's config module. A TypeScript one is bundled to plain
// JavaScript with esbuild first (Node 20 runs no TypeScript), keeping its packages external so
// that `tessera` and everything else resolve from the app's own node_modules.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readAppModule, type AppModule } from './app-module.ts';

/** Looked for in the current folder, in this order, when no --config is given. */
export const defaultConfigNames = ['tessera.config.ts', 'tessera.config.mts', 'tessera.config.js', 'tessera.config.mjs'];

/** The config module's path: the one given, or the first default found in `cwd`. */
export function findConfig(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new Error(`no config module at ${path} (--config)`);
    return path;
  }
  for (const name of defaultConfigNames) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`no ${defaultConfigNames[0]} or ${defaultConfigNames[2]} in ${cwd}: name the app's config module with --config PATH`);
}

export async function loadAppModule(path: string): Promise<AppModule> {
  const exports = /\.[cm]?tsx?$/.test(path) ? await importTypeScript(path) : ((await import(pathToFileURL(path).href)) as Record<string, unknown>);
  return readAppModule(exports, path);
}

/**
 * Where the bundle of a TypeScript config goes: the app's `node_modules/.cache/tessera/`, from
 * where its bare imports resolve as they do from the config itself, and out of the app's
 * sources (a read-only app folder, a file watcher); beside the config when no node_modules is
 * found above it.
 */
function bundleFolder(config: string): string {
  for (let folder = dirname(config); ; folder = dirname(folder)) {
    const modules = join(folder, 'node_modules');
    if (existsSync(modules)) return join(modules, '.cache', 'tessera');
    if (dirname(folder) === folder) return dirname(config);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Bundles left by processes that were killed while importing them. */
function sweepLeftovers(folder: string): void {
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    const pid = /^\.?tessera-config\.(\d+)\.\d+\.mjs$/.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) rmSync(join(folder, name), { force: true });
  }
}

async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  const esbuild = await import('esbuild');
  const folder = bundleFolder(path);
  mkdirSync(folder, { recursive: true });
  sweepLeftovers(folder);
  // A name of this process's own: processes starting together never import each other's file.
  const bundle = join(folder, `.tessera-config.${process.pid}.${Date.now()}.mjs`);
  try {
    await esbuild.build({
      entryPoints: [path],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'error',
      // Every module keeps its own import.meta.url (the file it was written in), so code that
      // finds its templates or static files beside itself works bundled as it does from source.
      define: { 'import.meta.url': '__tessera_module_url', 'import.meta.dirname': '__tessera_module_dirname', 'import.meta.filename': '__tessera_module_filename' },
      plugins: [
        {
          name: 'tessera-module-url',
          setup(build) {
            build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (file) => {
              const source = await readFile(file.path, 'utf8');
              const prologue =
                `const __tessera_module_url = ${JSON.stringify(pathToFileURL(file.path).href)};` +
                `const __tessera_module_dirname = ${JSON.stringify(dirname(file.path))};` +
                `const __tessera_module_filename = ${JSON.stringify(file.path)};`;
              const loader = /x$/.test(file.path) ? (file.path.endsWith('x') && /\.[cm]?ts/.test(file.path) ? 'tsx' : 'jsx') : /\.[cm]?ts$/.test(file.path) ? 'ts' : 'js';
              return { contents: prologue + source, loader };
            });
          },
        },
      ],
    });
    return (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
  } finally {
    rmSync(bundle, { force: true });
    // esbuild's service process would otherwise live (and hold memory) as long as the server.
    await esbuild.stop();
  }
}
