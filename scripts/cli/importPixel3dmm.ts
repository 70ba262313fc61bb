import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PIXEL3DMM_UV_LAYOUT } from '../../src/authoring/flame/flameUvLayout.js';
import { buildPixel3dmmOnnx } from '../../src/authoring/pixel3dmm/pixel3dmmOnnx.js';
import { PIXEL3DMM_INPUT_SIZE, type Pixel3dmmPrediction } from '../../src/authoring/pixel3dmm/pixel3dmmArchitecture.js';
import { readPixel3dmmCheckpoint } from '../../src/authoring/pixel3dmm/readPixel3dmmCheckpoint.js';
import { TrackerError } from '../../src/core/errors.js';
import { convertToFloat16 } from '../../src/workers/prior/onnx/convertToFloat16.js';
import { PRIOR_METADATA_KEYS } from '../../src/workers/prior/priorContract.js';
import { parseCommandArgs, readInput, usageError } from './commandArgs.js';

const USAGE = 'usage: npx pixel3dmm-web import-pixel3dmm <uv.ckpt> <normals.ckpt> [-o pixel3dmm] [--fp16] [--uv-layout pixel3dmm-flame]';

/**
 * Pixel3DMM's mirror test-time augmentation: their UV layout is symmetric about u = 0.50375, so a
 * mirrored prediction's u maps back as −u + 2·0.0075 in the network's [-1, 1] units.
 */
const PIXEL3DMM_UV_MIRROR_CENTRE = 0.0075;

/** The contract's output each checkpoint must give. */
const ROLES: { file: string; prediction: Pixel3dmmPrediction; output: 'uv' | 'normals' }[] = [
  { file: 'uv.ckpt', prediction: 'uv_map', output: 'uv' },
  { file: 'normals.ckpt', prediction: 'normals', output: 'normals' },
];

/** `import-pixel3dmm`: converts Pixel3DMM's released networks into ONNX models of the prior contract. */
export async function importPixel3dmmCommand(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, USAGE, { '-o': 'out', '--out': 'out', '--uv-layout': 'uvLayout' }, { '--fp16': 'fp16' });
  if (!args) {
    console.log(USAGE);
    return;
  }
  if (args.positional.length !== 2) throw usageError(`Give the two checkpoints, uv.ckpt then normals.ckpt (got ${args.positional.length}).`, USAGE);
  const out = args.options.out ?? 'pixel3dmm';
  const uvLayout = args.options.uvLayout ?? PIXEL3DMM_UV_LAYOUT;
  const fp16 = args.flags.has('fp16');
  await mkdir(out, { recursive: true });

  const written: Record<string, string> = {};
  for (const [i, role] of ROLES.entries()) {
    const path = args.positional[i]!;
    const started = performance.now();
    process.stderr.write(`Reading ${path}…\n`);
    const checkpoint = readPixel3dmmCheckpoint(await readInput(path, `${role.output} checkpoint`, USAGE), basename(path));
    const { architecture } = checkpoint;
    if (architecture.prediction !== role.prediction) {
      const other = ROLES.find((r) => r.prediction === architecture.prediction)!;
      throw new TrackerError('invalid-input', `${path} is Pixel3DMM's ${other.output} network (${other.file}), given in the place of ${role.file}. Pass uv.ckpt first, then normals.ckpt.`);
    }
    const metadata: Record<string, string> = {
      [PRIOR_METADATA_KEYS.uvLayout]: uvLayout,
      [PRIOR_METADATA_KEYS.inputSize]: String(PIXEL3DMM_INPUT_SIZE),
      ...(role.output === 'normals' ? { [PRIOR_METADATA_KEYS.normalsSpace]: 'model' } : { [PRIOR_METADATA_KEYS.uvMirrorCentre]: String(PIXEL3DMM_UV_MIRROR_CENTRE) }),
    };
    let onnx = buildPixel3dmmOnnx(architecture, checkpoint.weights, metadata, `pixel3dmm-${role.output}`);
    if (fp16) onnx = convertToFloat16(onnx).bytes;
    const file = join(out, `${role.output}${fp16 ? '.fp16' : ''}.onnx`);
    await writeFile(file, onnx);
    written[role.output] = file;
    console.log(
      `Wrote ${file} (${(onnx.byteLength / 2 ** 20).toFixed(0)} MiB, ${fp16 ? 'fp16' : 'fp32'}) from ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${architecture.backbone} + ${architecture.layers}-layer head, ${(checkpoint.parameterCount / 1e6).toFixed(1)} M parameters, ${PIXEL3DMM_INPUT_SIZE} px, UV layout '${uvLayout}'` +
        `${role.output === 'normals' ? ', normals in the model frame' : ''}.`,
    );
  }
  console.log(
    `Track with a FLAME model imported with Pixel3DMM's UV template (import-flame --uv head_template.obj):\n` +
      `  FaceTracker.create({ model: 'flame.glb', prior: { onnx: { uv: '${written.uv}', normals: '${written.normals}' }, tta: true } })`,
  );
}
