/** Bundles the pipeline benchmark's page and its MediaPipe-only worker into dist/bench/ (for the benchmarks alone). */
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';

const root = new URL('../..', import.meta.url).pathname;

export async function bundleBenchPages(): Promise<void> {
  for (const [input, file] of [['bench/pipeline/page.ts', 'pipeline-page.js'], ['bench/pipeline/landmarksWorker.ts', 'landmarks-worker.js']] as const) {
    const bundle = await rollup({
      input: `${root}${input}`,
      plugins: [nodeResolve({ browser: true }), commonjs(), typescript({ tsconfig: `${root}bench/tsconfig.json`, declaration: false, outDir: `${root}dist/bench`, sourceMap: false })],
      logLevel: 'silent',
    });
    await bundle.write({ file: `${root}dist/bench/${file}`, format: 'es', inlineDynamicImports: true });
    await bundle.close();
  }
}
