/**
 * The bundled default face model: file size, evaluation cost, and how well its MediaPipe
 * embedding sits on MediaPipe's canonical face.
 *
 *   npm run bench -- model
 *
 * Last line: {"model_mb", "eval_full_ms", "eval_landmarks_us", "mediapipe_embed_residual_mm"}.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseObj } from '../src/authoring/geometry/parseObj.js';
import { FaceModelEvaluator } from '../src/core/model/FaceModelEvaluator.js';
import { readFaceModel } from '../src/core/model/readFaceModel.js';
import { embeddingResidualsMm } from '../scripts/default-model/mediapipeEmbedding.js';
import { quantile } from '../src/core/math/quantile.js';

const bytes = new Uint8Array(readFileSync(new URL('../models/face-default.glb', import.meta.url)));
const model = await readFaceModel(bytes);
const evaluator = new FaceModelEvaluator(model);
const landmarks = evaluator.embedded(model.mediapipe478!);

const gaussian = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
const randomCoefficients = () => ({
  identity: Float64Array.from(model.identity.names, gaussian),
  expression: Float64Array.from(model.expression.names, () => Math.random()),
});

/** Median wall time of `run` (ms) over `runs` calls after `warmup` untimed ones, fresh coefficients each call. */
function medianMs(runs: number, warmup: number, run: (c: ReturnType<typeof randomCoefficients>) => void): number {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const c = randomCoefficients();
    const t0 = performance.now();
    run(c);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return quantile(times, 0.5);
}

const meshOut = new Float32Array(model.vertexCount * 3);
const evalFullMs = medianMs(60, 10, (c) => evaluator.evaluateMesh(c, meshOut));
const landmarkOut = new Float32Array(landmarks.count * 3);
const evalLandmarksUs = 1000 * medianMs(5000, 500, (c) => evaluator.evaluate(landmarks, c, landmarkOut));

const mediapipe = parseObj(readFileSync(new URL('../models/mediapipe/face_model_with_iris.obj', import.meta.url), 'utf8')).positions;
const residualsMm = Array.from(embeddingResidualsMm(model, mediapipe));

console.log(`vertices ${model.vertexCount}, identity ${model.identity.names.length}, expressions ${model.expression.names.length}`);
console.log(`mediapipe residual p95 ${quantile(residualsMm, 0.95).toFixed(3)} mm, max ${Math.max(...residualsMm).toFixed(3)} mm`);
console.log(
  JSON.stringify({
    model_mb: +(bytes.length / 1e6).toFixed(3),
    eval_full_ms: +evalFullMs.toFixed(3),
    eval_landmarks_us: +evalLandmarksUs.toFixed(1),
    mediapipe_embed_residual_mm: +quantile(residualsMm, 0.5).toFixed(3),
  }),
);
