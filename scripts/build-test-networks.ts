/**
 * Builds the prior contract's test networks (random weights, ours, MIT):
 *   npx tsx scripts/build-test-networks.ts                       → models/test-networks/ (tiny, committed)
 *   npx tsx scripts/build-test-networks.ts --pixel3dmm-sized DIR  → DIR/vit-s16-512.onnx, DIR/vit-b16-512.onnx (benchmarks; not committed)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { buildPixel3dmmSized, buildTinyNetwork, PIXEL3DMM_SIZED } from './onnx/testNetworks.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The tiny networks' file names in models/test-networks/. */
export const TINY_NETWORK_FILES = { combined: 'tiny-vit-128.onnx', uv: 'tiny-vit-128-uv.onnx', normals: 'tiny-vit-128-normals.onnx' } as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'pixel3dmm-sized': { type: 'string' }, model: { type: 'string', default: join(root, 'models/face-default.glb') } } });
  const model = await readFaceModel(new Uint8Array(readFileSync(values.model)));
  if (values['pixel3dmm-sized']) {
    const dir = resolve(values['pixel3dmm-sized']);
    mkdirSync(dir, { recursive: true });
    for (const name of Object.keys(PIXEL3DMM_SIZED) as (keyof typeof PIXEL3DMM_SIZED)[]) {
      const { bytes, parameters } = buildPixel3dmmSized(name, model.uvLayout);
      writeFileSync(join(dir, `${name}.onnx`), bytes);
      console.log(`${name}.onnx: ${(parameters / 1e6).toFixed(1)} M parameters, ${(bytes.length / 2 ** 20).toFixed(0)} MiB`);
    }
    return;
  }
  const dir = join(root, 'models/test-networks');
  mkdirSync(dir, { recursive: true });
  const files: [string, Uint8Array][] = [
    [TINY_NETWORK_FILES.combined, buildTinyNetwork(model)],
    [TINY_NETWORK_FILES.uv, buildTinyNetwork(model, { outputs: ['uv'], split: true, seed: 8 })],
    [TINY_NETWORK_FILES.normals, buildTinyNetwork(model, { outputs: ['normals'], split: true, seed: 9 })],
  ];
  for (const [name, bytes] of files) {
    writeFileSync(join(dir, name), bytes);
    console.log(`${name}: ${(bytes.length / 2 ** 20).toFixed(2)} MiB`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
