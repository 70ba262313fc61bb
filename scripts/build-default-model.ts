/**
 * Builds the bundled default face model, models/face-default.glb, from the ICT FaceKit.
 *
 *   node --import tsx scripts/build-default-model.ts [ict-facekit-dir]
 *
 * The directory defaults to ../shared/assets/ict-facekit beside the repository. Also writes the
 * licence beside the model and the test fixtures derived from the float data (test/fixtures/ict/),
 * and prints what it measured (identity variance, embedding residuals, quantization error).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseObj } from '../src/authoring/geometry/parseObj.js';
import type { FaceModel } from '../src/core/model/FaceModel.js';
import { FaceModelEvaluator, type FaceCoefficients } from '../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { multipie68FromMediapipe } from '../src/authoring/registration/multipie68.js';
import { writeFaceModel } from '../src/authoring/writeFaceModel.js';
import { buildIctFaceModel, splitIctMesh } from './default-model/buildIctFaceModel.js';
import { embedMediapipe, residualSummary } from './default-model/mediapipeEmbedding.js';
import { readIctFaceKit, type IctFaceKit } from './default-model/readIctFaceKit.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ictDir = resolve(process.argv[2] ?? join(root, '../shared/assets/ict-facekit'));
const out = {
  model: join(root, 'models/face-default.glb'),
  licence: join(root, 'models/LICENSE-ict-facekit.txt'),
  fixtures: join(root, 'test/fixtures/ict'),
};
/**
 * All of upstream's identity modes. 99% of the identity variance needs only the first 57, but
 * those leave 0.73 mm RMS of the face area's identity variation out, and all 100 still fit the
 * size budget; upstream's coefficient vectors (100 long) also apply unchanged.
 */
const IDENTITY_COUNT = 100;
/** Every n-th vertex goes into the float reference fixture (about 300 over the whole head). */
const REFERENCE_STRIDE = 97;

const kit = readIctFaceKit(ictDir);
const mesh = await splitIctMesh(kit);
const mediapipe = parseObj(readFileSync(join(root, 'models/mediapipe/face_model_with_iris.obj'), 'utf8')).positions;
const withoutMediapipe = buildIctFaceModel(kit, mesh, { identityCount: IDENTITY_COUNT });
const embedded = embedMediapipe(mediapipe, withoutMediapipe);
// ICT's own 68 landmark vertices (used above for the embedding's rigid start) sit off the iBUG
// 300-W convention (e.g. the eyes' and mouth's corners); the shipped 68 are MediaPipe's points
// at the standard correspondence (docs/architecture.md, "The 68-point convention").
const model: FaceModel = { ...withoutMediapipe, mediapipe478: embedded.embedding, multipie68: multipie68FromMediapipe(embedded.embedding) };

const bytes = await writeFaceModel(model, { compress: true });
writeFileSync(out.model, bytes);
// Copied by content: the shared assets are read-only and copyFileSync would carry that mode over.
const copy = (from: string, to: string) => writeFileSync(to, readFileSync(join(ictDir, from)));
copy('LICENSE', out.licence);
mkdirSync(out.fixtures, { recursive: true });
copy('LICENSE', join(out.fixtures, 'LICENSE'));
copy('sample_identity_coeffs.json', join(out.fixtures, 'sample_identity_coeffs.json'));
writeFileSync(join(out.fixtures, 'reference-positions.json'), JSON.stringify(referencePositions(model, kit.sampleIdentity)));

const varianceKept = identityVarianceKept(kit);
const residual = residualSummary(embedded.residualsMm);
const rigidResidual = residualSummary(embedded.rigidResidualsMm);
const irisResidual = residualSummary(embedded.residualsMm.subarray(468));
const quantization = await quantizationErrorMm(model, bytes);
console.log(
  JSON.stringify(
    {
      model: out.model,
      mb: +(bytes.length / 1e6).toFixed(3),
      vertices: model.vertexCount,
      triangles: model.triangles.length / 3,
      identity: IDENTITY_COUNT,
      identityVarianceKept: +varianceKept[IDENTITY_COUNT - 1]!.toFixed(4),
      identityModesFor99Percent: varianceKept.findIndex((f) => f >= 0.99) + 1,
      expressions: model.expression.names.length,
      mediapipeResidualMm: round(residual),
      mediapipeRigidResidualMm: round(rigidResidual),
      irisResidualMm: round(irisResidual),
      quantizationMaxErrorMm: +quantization.toFixed(4),
    },
    null,
    1,
  ),
);

/**
 * Share of the identity variance carried by the first k modes (index k − 1). Upstream's modes are
 * orthogonal (Gram matrix off-diagonals below 1e-6 of its diagonal) and its coefficients N(0, 1),
 * so each mode's variance is its squared norm.
 */
function identityVarianceKept(kit: IctFaceKit): number[] {
  const stride = (kit.obj.positions.length / 3) * 3;
  const variances = kit.shapeNames
    .map((name, k) => [name, k] as const)
    .filter(([name]) => name.startsWith('identity'))
    .map(([, k]) => kit.deltas.subarray(k * stride, (k + 1) * stride).reduce((s, d) => s + d * d, 0));
  const total = variances.reduce((s, v) => s + v, 0);
  let sum = 0;
  return variances.map((v) => (sum += v) / total);
}

/**
 * Float reference for the tests: upstream's sample identity alone, and with a few ARKit
 * expressions, at every REFERENCE_STRIDE-th vertex (cm).
 */
function referencePositions(model: FaceModel, sampleIdentity: number[]) {
  const vertices = Array.from({ length: Math.ceil(model.vertexCount / REFERENCE_STRIDE) }, (_, i) => i * REFERENCE_STRIDE);
  const identity = sampleIdentity.slice(0, model.identity.names.length);
  const expressionWeights: Record<string, number> = { jawOpen: 0.6, eyeBlinkLeft: 1, mouthSmileRight: 0.5, browInnerUpLeft: 0.8 };
  const expression = model.expression.names.map((n) => expressionWeights[n] ?? 0);
  const evaluator = new FaceModelEvaluator(model);
  const at = (coefficients: FaceCoefficients) => {
    const all = evaluator.evaluateMesh(coefficients, new Float32Array(model.vertexCount * 3));
    return vertices.flatMap((v) => [0, 1, 2].map((c) => +all[3 * v + c]!.toFixed(5)));
  };
  return {
    about: 'ICT FaceKit (MIT, see LICENSE): float positions (cm) of some vertices of models/face-default.glb, computed from the unquantized data by scripts/build-default-model.ts',
    vertices,
    identity,
    expressionWeights,
    identityOnly: at({ identity }),
    withExpression: at({ identity, expression }),
  };
}

/** Largest vertex distance (mm) between the float model and the written file, over random coefficients. */
async function quantizationErrorMm(model: FaceModel, bytes: Uint8Array): Promise<number> {
  const read = await readFaceModel(bytes);
  const exact = new FaceModelEvaluator(model), stored = new FaceModelEvaluator(read);
  // mulberry32: a seeded generator, so the reported number is reproducible.
  let seed = 12345;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  let worst = 0;
  for (let trial = 0; trial < 20; trial++) {
    // Trial 0 is the template alone; the rest draw identity ~ N(0, 1) and expressions ~ U(0, 1).
    const coefficients = trial === 0 ? {} : { identity: model.identity.names.map(gaussian), expression: model.expression.names.map(uniform) };
    const a = exact.evaluateMesh(coefficients), b = stored.evaluateMesh(coefficients);
    for (let v = 0; v < model.vertexCount; v++) {
      worst = Math.max(worst, Math.hypot(a[3 * v]! - b[3 * v]!, a[3 * v + 1]! - b[3 * v + 1]!, a[3 * v + 2]! - b[3 * v + 2]!));
    }
  }
  return worst * model.metersPerUnit * 1000;
}

function round(summary: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, +v.toFixed(3)]));
}
