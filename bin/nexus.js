#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx nexus ...` works without a build step.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const cli = path.join(__dirname, '..', 'handlers', 'cli', 'nexus.ts');
const tsx = require.resolve('tsx/cli');
const result = spawnSync(process.execPath, [tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
