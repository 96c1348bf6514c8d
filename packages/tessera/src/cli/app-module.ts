// What the `tessera` command line reads from the application's config module, as manage.py
// reads settings: the app's tessera instance, and optionally the server `serve` runs.
import type { Tessera } from '../core/tessera.ts';

/** A server `tessera serve` can start and stop: a Fastify instance, or anything shaped like one. */
export interface Servable {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
  log: { error(object: unknown, message?: string): void; info(message: string): void };
}

/**
 * The application's config module (`tessera.config.ts` by default): its default export (or an
 * export named `tessera`) is the app's tessera instance, made with its own user fields and
 * migrations; an export named `app` builds the server `tessera serve` runs.
 *
 * @example
 * // tessera.config.ts
 * import { createTessera, loadConfig } from 'tessera';
 * export default createTessera(loadConfig(), { migrations: { 'app-0001-bio': addBio } });
 * export async function app(tessera) { return buildMyFastifyApp(tessera); }
 */
export interface AppModule {
  tessera: Tessera<any>;
  app: ((tessera: Tessera<any>) => Promise<Servable> | Servable) | undefined;
}

function isTessera(value: unknown): value is Tessera<any> {
  return typeof value === 'object' && value !== null && typeof (value as Tessera).migrate === 'function' && typeof (value as Tessera).close === 'function' && 'db' in value;
}

/** The module's parts, or why it is not a config module. */
export function readAppModule(exports: Record<string, unknown>, path: string): AppModule {
  const tessera = isTessera(exports.default) ? exports.default : isTessera(exports.tessera) ? exports.tessera : undefined;
  if (tessera === undefined) {
    throw new Error(`${path} must export its tessera instance as the default export (export default createTessera(loadConfig(), …))`);
  }
  const app = exports.app;
  if (app !== undefined && typeof app !== 'function') throw new Error(`${path}: the export "app" must be a function (tessera) => server`);
  return { tessera, app: app as AppModule['app'] };
}
