#!/usr/bin/env node
// The installed `tessera` binary.
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    // serve answers -1: the server keeps the process alive until it is stopped.
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
