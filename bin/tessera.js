#!/usr/bin/env node
// The installed binary: loads tsx so the TypeScript sources run as they are, then the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
