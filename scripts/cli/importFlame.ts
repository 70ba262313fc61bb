import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { importFlame } from '../../src/authoring/flame/importFlame.js';
import { PIXEL3DMM_UV_LAYOUT } from '../../src/authoring/flame/flameUvLayout.js';
import type { ArkitShapeError } from '../../src/authoring/flame/flameArkitMap.js';
import type { LandmarkFileUse } from '../../src/authoring/flame/flameLandmarkFiles.js';
import { parseObj } from '../../src/authoring/geometry/parseObj.js';
import { writeFaceModel } from '../../src/authoring/writeFaceModel.js';
import { readFaceModel } from '../../src/core/model/readFaceModel.js';
import { parseCommandArgs, readInput, usageError } from './commandArgs.js';
import { packageRoot } from './packageRoot.js';

const USAGE =
  'usage: npx pixel3dmm-web import-flame <generic_model.pkl | flame2023*.pkl> --uv <head_template.obj> [-o flame.glb] [--masks FLAME_masks.pkl]\n' +
  '         [--landmarks flame_static_embedding.pkl | landmark_embedding.npy] [--landmarks mediapipe_landmark_embedding.npz]';

interface ImportFlameArgs {
  input: string;
  uv: string;
  out: string;
  masks?: string;
  landmarks: string[];
}

/** `import-flame`: converts the user's FLAME files into a face-model .glb (float32, exact). */
export async function importFlameCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (!args) {
    console.log(USAGE);
    return;
  }
  const started = performance.now();
  const [model, uvTemplate, masks, landmarkFiles] = await Promise.all([
    readInput(args.input, 'FLAME model', USAGE),
    readInput(args.uv, 'UV template (--uv)', USAGE).then((b) => new TextDecoder().decode(b)),
    args.masks ? readInput(args.masks, 'masks file (--masks)', USAGE) : undefined,
    Promise.all(args.landmarks.map(async (path) => ({ name: basename(path), bytes: await readInput(path, 'landmarks file (--landmarks)', USAGE) }))),
  ]);
  // The bundled default model and MediaPipe's canonical face give FLAME the landmarks the tracker needs.
  const root = packageRoot();
  const sources = {
    defaultModel: await readFaceModel(new Uint8Array(await readFile(join(root, 'models/face-default.glb')))),
    mediapipeCanonical: parseObj(await readFile(join(root, 'models/mediapipe/face_model_with_iris.obj'), 'utf8')).positions,
  };
  process.stderr.write("Registering the default model onto FLAME and embedding MediaPipe's landmarks (about 10 s)…\n");
  const { model: face, registration, arkitErrors, landmarkFiles: used } = importFlame({
    model,
    uvTemplate,
    source: basename(args.input),
    landmarks: sources,
    landmarkFiles,
    ...(masks && { masks }),
  });
  const glb = await writeFaceModel(face);
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, glb);

  const seconds = (performance.now() - started) / 1000;
  const split = face.vertexCount - (face.sourceVertex ? new Set(face.sourceVertex).size : face.vertexCount);
  const region = `${face.fittingRegion.length} vertices (${args.masks ? "the masks file's 'face'" : "under the default model's face"})`;
  const landmarks = registration
    ? ` MediaPipe's 478 landmarks embedded: the default model's face lies ${registration.faceMedianMm.toFixed(2)} mm from FLAME's (median; p95 ${registration.faceP95Mm.toFixed(1)} mm), MediaPipe's canonical face ${registration.mediapipeMedianMm.toFixed(2)} mm from FLAME's fitted to it (p95 ${registration.mediapipeP95Mm.toFixed(1)} mm).`
    : '';
  const official = (used ?? []).map((u) => ` ${landmarkFileSummary(u)}`).join('');
  const arkit = arkitErrors ? ` ${arkitSummary(arkitErrors)}` : '';
  console.log(
    `Wrote ${args.out} (${(glb.byteLength / 2 ** 20).toFixed(1)} MiB) from ${face.source} in ${seconds.toFixed(1)} s: ` +
      `${face.vertexCount} vertices (${split} added at UV seams), ${face.triangles.length / 3} triangles, ` +
      `${face.identity.names.length} shape + ${face.expression.names.length} expression + ${face.poseCorrectives!.names.length} pose-corrective targets, ` +
      `${face.skeleton!.jointNames.length} joints, fitting region: ${region}, UV layout '${face.uvLayout}'${face.uvLayout === PIXEL3DMM_UV_LAYOUT ? " (Pixel3DMM's: their networks, converted by import-pixel3dmm, predict in it)" : ''}.${landmarks}${official}${arkit}`,
  );
}

/** One sentence on a --landmarks file: which points it gave and how far they lie from the registration's. */
function landmarkFileSummary(use: LandmarkFileUse & { file: string }): string {
  const [name, total] = use.scheme === 'multipie68' ? ['Multi-PIE 68', 68] : ['MediaPipe 478', 478];
  const rest = use.points < total ? `; the other ${total - use.points} from the registration` : '';
  // On FLAME's real template FLAME's own files lie ~3 mm from the registration's points (median); a file for another mesh, ~80 mm.
  const far = use.medianMm > 10 ? ': far apart, is the file for this FLAME model?' : '';
  return `${name}: ${use.file} (${use.points} points${rest}), ${use.medianMm.toFixed(2)} mm from the registration's (median; max ${use.maxMm.toFixed(1)} mm)${far}.`;
}

/** One sentence on how well FLAME reproduces the ARKit shapes carried over from the default model. */
function arkitSummary(errors: ArkitShapeError[]): string {
  const relative = (e: ArkitShapeError) => e.rmsMm / Math.max(e.motionMaxMm, 1e-9);
  const worst = [...errors].sort((a, b) => relative(b) - relative(a)).slice(0, 3);
  const rms = errors.map((e) => e.rmsMm).sort((a, b) => a - b);
  return (
    `ARKit-52 weights: ${errors.length} shapes carried over from the default model (plus the 8 eyeLooks from the eye joints), reproduced by FLAME to ${rms[Math.floor(rms.length / 2)]!.toFixed(2)} mm RMS (median over shapes); ` +
    `least well: ${worst.map((e) => `${e.name} ${e.rmsMm.toFixed(2)} mm of ${e.motionMaxMm.toFixed(1)} mm`).join(', ')}.`
  );
}

/** The parsed arguments, or undefined when help was asked for. */
function parseArgs(argv: string[]): ImportFlameArgs | undefined {
  const args = parseCommandArgs(argv, USAGE, { '--uv': 'uv', '-o': 'out', '--out': 'out', '--masks': 'masks', '--landmarks': 'landmarks' });
  if (!args) return undefined;
  const { positional, options, repeated } = args;
  if (positional.length !== 1) throw usageError(positional.length === 0 ? 'Give the FLAME model file.' : `One model file, please (got ${positional.join(', ')}).`, USAGE);
  if (!options.uv) throw usageError("Give FLAME's UV template with --uv head_template.obj (it comes with FLAME's texture space download).", USAGE);
  return { input: positional[0]!, uv: options.uv, out: options.out ?? 'flame.glb', landmarks: repeated.landmarks ?? [], ...(options.masks && { masks: options.masks }) };
}
