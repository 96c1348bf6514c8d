// The stream's mix: mostly hostile HTTP, some raw bytes, and a few valid requests whose effects are counted.
import type { Fixture } from './fixture.ts';
import type { Generated } from './generated-request.ts';
import { generateHostileHttp } from './hostile-http-request.ts';
import { generateRaw } from './raw-request.ts';
import type { Random } from './seeded-random.ts';
import { generateValid } from './valid-request.ts';

export function generate(r: Random, fx: Fixture, index: number, serial: number): Generated {
  return r.weighted<() => Generated>([
    [5, () => generateValid(r, fx, index, serial)],
    [85, () => generateHostileHttp(r, fx, index)],
    [10, () => generateRaw(r, fx, index)],
  ])();
}
