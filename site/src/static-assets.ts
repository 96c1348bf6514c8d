// Static files under content-hashed names, held in memory and served as immutable for a year.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TesseraError } from 'tessera';

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticAssets {
  /** logical name ("site.css") → public URL ("/static/site.3f2a….css") */
  urls: Record<string, string>;
  register(app: FastifyInstance): void;
}

export function loadStaticAssets(directory: string): StaticAssets {
  const files = new Map<string, { body: Buffer; type: string }>();
  const urls: Record<string, string> = {};
  for (const name of readdirSync(directory)) {
    const body = readFileSync(join(directory, name));
    const extension = extname(name);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const hashed = `${name.slice(0, -extension.length)}.${hash}${extension}`;
    files.set(hashed, { body, type: contentTypes[extension] ?? 'application/octet-stream' });
    urls[name] = `/static/${hashed}`;
  }
  return {
    urls,
    register(app) {
      app.get<{ Params: { name: string } }>('/static/:name', { config: { session: false } }, async (request, reply) => {
        const file = files.get(request.params.name);
        // An unknown name gets the site's 404 page, like any other address.
        if (!file) throw new TesseraError('not_found');
        // The name changes whenever the content does, so a year-long cache can never go stale.
        reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(file.type);
        return file.body;
      });
    },
  };
}
