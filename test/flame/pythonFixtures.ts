import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python fixture scripts (python3 + numpy; test-time only). */
export const FIXTURE_SCRIPTS = fileURLToPath(new URL('../../scripts/fixtures/', import.meta.url));

/** Runs scripts/fixtures/<script> with the given arguments. */
export function runPython(script: string, args: string[]): string {
  return execFileSync('python3', [join(FIXTURE_SCRIPTS, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
