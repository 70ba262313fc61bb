/**
 * Bundles a browser-test page module (TypeScript, with its imports) into test-results/ with the
 * project's own rollup toolchain, plus a page that loads it, so a test can run it without a
 * dist/ build.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { artifactsDir, repoRoot } from './harness.js';

/** Bundles `entry` (relative to the repo root); returns the URL path of a page that loads it. */
export async function bundlePage(entry: string): Promise<string> {
  const outDir = `${artifactsDir}/bundles`;
  mkdirSync(outDir, { recursive: true });
  const bundle = await rollup({
    input: `${repoRoot}${entry}`,
    plugins: [
      nodeResolve({ browser: true }),
      commonjs(),
      typescript({ tsconfig: `${repoRoot}tsconfig.json`, compilerOptions: { declaration: false, outDir, rootDir: repoRoot, noEmitOnError: false }, include: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'] }),
    ],
    onwarn: () => undefined,
  });
  const name = basename(entry, '.ts');
  await bundle.write({ dir: outDir, format: 'es', entryFileNames: `${name}.js`, inlineDynamicImports: true });
  await bundle.close();
  writeFileSync(`${outDir}/${name}.html`, `<!doctype html><meta charset="utf-8"><script type="module" src="./${name}.js"></script>\n`);
  return `/test-results/bundles/${name}.html`;
}
