// The README's "Use it in your app" is exactly the app the consumer test compiles and runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

for (const file of ['app.ts', 'tessera.config.ts', 'tsconfig.json']) {
  test(`the README shows examples/fastify-app/${file} as it is`, () => {
    const text = readFileSync(new URL(`../examples/fastify-app/${file}`, import.meta.url), 'utf8');
    const language = file.endsWith('.json') ? 'json' : 'ts';
    assert.ok(readme.includes(`\`\`\`${language}\n${text}\`\`\``), `README.md has examples/fastify-app/${file} verbatim in a ${language} block`);
  });
}
