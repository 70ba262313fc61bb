import type { FaceCrop } from '../../../src/core/image/FaceCropTracker.js';
import type { PinholeCamera } from '../../../src/core/camera.js';
import type { DenseCorrespondences, NormalsSpace } from '../../../src/core/fit/types.js';
import { axisAngleToMatrix } from '../../../src/core/math/rotation.js';
import type { FaceModel } from '../../../src/core/model/FaceModel.js';
import type { FaceModelEvaluator } from '../../../src/core/model/FaceModelEvaluator.js';
import { computeVertexNormals } from '../../../src/core/model/normals.js';
import { denseLookupCpu } from '../../../src/workers/prior/kernels/denseLookupCpu.js';
import type { CandidateVertices } from '../../../src/workers/tracking/prior/candidateVertices.js';
import { denseFromRecords } from '../../../src/workers/tracking/prior/denseFromRecords.js';
import type { TruthFrame } from './syntheticScene.js';

/** What a perfect Pixel3DMM prior would predict on a crop, in the prior contract's layout. */
export interface RenderedMaps {
  /** Map side, px. */
  size: number;
  /** [2][size][size] the model's UV as 2·uv − 1 (glTF convention, v down); 2 where no face is seen. */
  uv: Float32Array;
  /** [3][size][size] unit normals in `normalsSpace`; 0 where no face is seen. */
  normals: Float32Array;
  /** `camera` (+z towards the viewer) or `model` (before the head rotation, as Pixel3DMM predicts). */
  normalsSpace: NormalsSpace;
}

/**
 * A small z-buffer rasterizer: the truth's mesh seen through `camera`, resampled onto the square
 * `crop` of the frame at `size`² pixels (pixel centres at k + 0.5), with perspective-correct UVs
 * and vertex normals in `normalsSpace`. Every triangle takes part (eyes, teeth and mouth occlude).
 */
export function rasterizeMaps(model: FaceModel, evaluator: FaceModelEvaluator, truth: TruthFrame, camera: PinholeCamera, crop: FaceCrop, size: number, normalsSpace: NormalsSpace = 'camera'): RenderedMaps {
  const coefficients = { identity: truth.identity, expression: truth.expression, ...(truth.jointRotations ? { jointRotations: truth.jointRotations } : {}) };
  const mesh = evaluator.evaluateMesh(coefficients);
  const modelNormals = computeVertexNormals(mesh, model.triangles);
  const R = axisAngleToMatrix(truth.rotation[0]!, truth.rotation[1]!, truth.rotation[2]!);
  const n = model.vertexCount;
  const sx = new Float64Array(n), sy = new Float64Array(n), depth = new Float64Array(n), normals = new Float64Array(3 * n);
  const toMap = size / crop.size;
  for (let v = 0; v < n; v++) {
    const x = mesh[3 * v]!, y = mesh[3 * v + 1]!, z = mesh[3 * v + 2]!;
    const px = R[0]! * x + R[1]! * y + R[2]! * z + truth.translation[0]!;
    const py = R[3]! * x + R[4]! * y + R[5]! * z + truth.translation[1]!;
    const pz = R[6]! * x + R[7]! * y + R[8]! * z + truth.translation[2]!;
    depth[v] = -pz;
    sx[v] = (camera.cx + (camera.focalPx * px) / -pz - crop.x) * toMap;
    sy[v] = (camera.cy - (camera.focalPx * py) / -pz - crop.y) * toMap;
    for (let r = 0; r < 3; r++) {
      normals[3 * v + r] = normalsSpace === 'model' ? modelNormals[3 * v + r]! : R[3 * r]! * modelNormals[3 * v]! + R[3 * r + 1]! * modelNormals[3 * v + 1]! + R[3 * r + 2]! * modelNormals[3 * v + 2]!;
    }
  }
  const plane = size * size;
  const out: RenderedMaps = { size, uv: new Float32Array(2 * plane).fill(2), normals: new Float32Array(3 * plane), normalsSpace };
  const zbuffer = new Float64Array(plane).fill(Infinity);
  const tri = model.triangles, uvs = model.uvs;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t]!, b = tri[t + 1]!, c = tri[t + 2]!;
    if (!(depth[a]! > 0 && depth[b]! > 0 && depth[c]! > 0)) continue;
    const ax = sx[a]!, ay = sy[a]!, bx = sx[b]!, by = sy[b]!, cx = sx[c]!, cy = sy[c]!;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx))), x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy))), y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by, cy)));
    const ia = 1 / depth[a]!, ib = 1 / depth[b]!, ic = 1 / depth[c]!;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        // Perspective-correct: interpolate attribute/depth and 1/depth linearly in screen space.
        const inv = wa * ia + wb * ib + wc * ic;
        const d = 1 / inv;
        const p = y * size + x;
        if (d >= zbuffer[p]!) continue;
        zbuffer[p] = d;
        const ka = (wa * ia) / inv, kb = (wb * ib) / inv, kc = (wc * ic) / inv;
        out.uv[p] = 2 * (ka * uvs[2 * a]! + kb * uvs[2 * b]! + kc * uvs[2 * c]!) - 1;
        out.uv[plane + p] = 2 * (ka * uvs[2 * a + 1]! + kb * uvs[2 * b + 1]! + kc * uvs[2 * c + 1]!) - 1;
        let nx = ka * normals[3 * a]! + kb * normals[3 * b]! + kc * normals[3 * c]!;
        let ny = ka * normals[3 * a + 1]! + kb * normals[3 * b + 1]! + kc * normals[3 * c + 1]!;
        let nz = ka * normals[3 * a + 2]! + kb * normals[3 * b + 2]! + kc * normals[3 * c + 2]!;
        const len = Math.hypot(nx, ny, nz) || 1;
        nx /= len; ny /= len; nz /= len;
        out.normals[p] = nx;
        out.normals[plane + p] = ny;
        out.normals[2 * plane + p] = nz;
      }
    }
  }
  return out;
}

/**
 * Dense correspondences from rendered maps through the runtime's own path: its candidate
 * vertices, the UV lookup grid with sub-pixel refinement (`denseLookupCpu`, the CPU twin of the
 * GPU kernel) and the crop → frame conversion (`denseFromRecords`).
 */
export function denseFromRenderedMaps(
  maps: RenderedMaps,
  crop: FaceCrop,
  candidates: CandidateVertices,
  timeMs: number,
): DenseCorrespondences {
  const { size } = maps;
  // The whole crop counts as face: background pixels carry UVs outside [-1, 1] and are skipped.
  const polygon = Float32Array.of(0, 0, size, 0, size, size, 0, size);
  const gridSize = Math.max(16, Math.round(size / 2));
  const records = denseLookupCpu({ size, uv: maps.uv, normals: maps.normals, vertexUvs: candidates.uvs, polygon, gridSize });
  return denseFromRecords(records, candidates.vertices, crop, size, timeMs, { maxUvDistance: (1.5 * 2) / gridSize, minNormalZ: 0 }, maps.normalsSpace);
}
