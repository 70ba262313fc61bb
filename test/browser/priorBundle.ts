/**
 * Bundles a browser-test page module (TypeScript, with its imports) into test-results/ with the
 * project's own rollup toolchain, so a test can load it without a dist/ build.
 */
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { artifactsDir, repoRoot } from './harness.js';

/** Bundles `entry` (relative to the repo root); returns its URL path on the test server. */
export async function bundlePageModule(entry: string): Promise<string> {
  const outDir = `${artifactsDir}/bundles`;
  mkdirSync(outDir, { recursive: true });
  const bundle = await rollup({
    input: `${repoRoot}${entry}`,
    plugins: [
      nodeResolve({ browser: true }),
      commonjs(),
      typescript({ tsconfig: `${repoRoot}tsconfig.json`, compilerOptions: { declaration: false, outDir, rootDir: repoRoot, noEmitOnError: false }, include: ['src/**/*.ts', 'test/**/*.ts'] }),
    ],
    onwarn: () => undefined,
  });
  const file = `${basename(entry, '.ts')}.js`;
  await bundle.write({ dir: outDir, format: 'es', entryFileNames: file, inlineDynamicImports: true });
  await bundle.close();
  return `/test-results/bundles/${file}`;
}
