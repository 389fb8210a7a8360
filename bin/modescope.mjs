#!/usr/bin/env node
// Thin launcher: the CLI is part of the built main bundle so it shares the services exactly.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('modescope: the app is not built yet; run `npm run build` (or `npm start`) first.');
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(cli).href);
process.exitCode = await runCli(process.argv.slice(2));
