#!/usr/bin/env node
// The CLI's bin: runs the built dist/cli.js (`npm install` builds it through the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('pixel3dmm-web: dist/ is missing. Run `npm run build` in the package directory first.');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
