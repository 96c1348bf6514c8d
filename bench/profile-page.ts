// A CPU profile of tessera's site serving one page to the logged-in user, for finding where a view goes.
// Usage: tsx bench/profile-page.ts [path] (default /accounts/update); the profile is written to .prof/.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './lib/load.ts';
import { root } from './lib/servers.ts';
import { startTessera } from './lib/systems.ts';

const path = process.argv[2] ?? '/accounts/update';
const dir = join(root, '.prof');
mkdirSync(dir, { recursive: true });
const before = new Set(readdirSync(dir));
const system = await startTessera({ nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const result = await load({ url: system.server.url + path, connections: 50, seconds: 8, headers: { cookie: system.cookie } });
console.log(`${path}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99} ms`);
await system.stop();

const written = readdirSync(dir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
for (const name of written) summarize(join(dir, name));

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
function summarize(file: string) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}`;
    const delta = profile.timeDeltas[index] ?? 0;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  const idle = [...self].filter(([key]) => key.startsWith('(idle)')).reduce((sum, [, value]) => sum + value, 0);
  const busy = total - idle;
  console.log(`${file}: busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms`);
  for (const [key, value] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) {
    if (!key.startsWith('(idle)')) console.log(`${((value / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
}
