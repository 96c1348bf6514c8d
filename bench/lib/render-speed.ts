// The render micro-benchmark: one render of tessera's profile page (Layout + FormPage + AuthForm,
// through site/src/render.ts's renderPage, as bench/peers/site-pages.ts builds it) in a loop after
// a warm-up, in µs. It runs what production runs: the `tessera` CLI bundles the site's config
// module with esbuild (packages external, node20, ESM) and imports the bundle, so the page module
// is bundled here with the same options and run in a fresh `node` with `npm start`'s flags.
// The same loop on the tsx-loaded source (what the bench's ceiling peer runs) is measured too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { root } from './servers.ts';

export interface RenderSpeed {
  /** CPU µs per render (the process's user + system time), the median of the measured batches */
  microseconds: number;
  /** the fastest batch */
  best: number;
  renders: number;
  bytes: number;
}

const pagesModule = join(root, 'bench/peers/site-pages.ts');

/** The loop, in the child: warm up, then batches of renders, each timed; prints JSON. */
const driver = (from: string) => `
import { renderProfile } from ${JSON.stringify(from)};
const user = { username: 'bench-user', email: 'bench-user@bench.example', firstName: '', lastName: '' };
const seconds = Number(process.env.RENDER_SECONDS ?? 3);
let bytes = 0;
for (let i = 0; i < 20000; i += 1) bytes = renderProfile(user).length;
const batch = 2000;
const times = [];
const end = performance.now() + seconds * 1000;
while (performance.now() < end || times.length < 5) {
  // CPU time, not wall time: on a shared machine the wall clock also counts other processes' turns.
  const c0 = process.cpuUsage();
  for (let i = 0; i < batch; i += 1) bytes = renderProfile(user).length;
  const used = process.cpuUsage(c0);
  times.push((used.user + used.system) / batch);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ microseconds: times[Math.floor(times.length / 2)], best: times[0], renders: times.length * batch, bytes }));
`;

/** esbuild as load-config.ts calls it, each module keeping its own import.meta.url. */
async function bundle(outfile: string): Promise<void> {
  await build({
    stdin: { contents: driver(pagesModule), resolveDir: root, sourcefile: 'render-speed-driver.ts', loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    define: { 'import.meta.url': '__tessera_module_url' },
    plugins: [
      {
        name: 'module-url',
        setup(b) {
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (file) => ({
            contents: `const __tessera_module_url = ${JSON.stringify(pathToFileURL(file.path).href)};` + readFileSync(file.path, 'utf8'),
            loader: /\.[cm]?tsx$/.test(file.path) ? 'tsx' : /\.[cm]?ts$/.test(file.path) ? 'ts' : 'js',
          }));
        },
      },
    ],
  });
}

function run(argv: string[], seconds: number): RenderSpeed {
  const out = execFileSync(process.execPath, argv, { cwd: root, env: { ...process.env, NODE_ENV: 'production', RENDER_SECONDS: String(seconds) }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as RenderSpeed;
}

/** µs per render of the profile page, bundled as the CLI runs it and tsx-loaded; `flags` are `npm start`'s node flags. */
export async function renderSpeed(flags: readonly string[], seconds = 3): Promise<{ bundled: RenderSpeed; tsx: RenderSpeed }> {
  // Inside the repository, so that the bundle's external imports (preact…) resolve from node_modules.
  const folder = join(root, 'node_modules/.cache/tessera-bench');
  const file = join(folder, `render-speed.${process.pid}.mjs`);
  const source = join(folder, `render-speed.${process.pid}.ts`);
  mkdirSync(dirname(file), { recursive: true });
  try {
    await bundle(file);
    const bundled = run([...flags, file], seconds);
    writeFileSync(source, driver(pagesModule));
    const tsx = run([...flags, '--import', 'tsx', source], seconds);
    return { bundled, tsx };
  } finally {
    rmSync(file, { force: true });
    rmSync(source, { force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await renderSpeed(['--max-old-space-size=256'], Number(process.env.RENDER_SECONDS ?? 3))));
}
