/**
 * What a perfect prior would predict for the model's own neutral face seen from the front: its
 * UV and normal maps in the crop the tracker would take (`FaceCropTracker` on the model's
 * MediaPipe points). Test networks add these as a bias so that their
 * random weights still give maps with a face's structure.
 */
import type { FaceModel } from '../../src/core/model/FaceModel.js';
import { embeddedBasis } from '../../src/core/model/PointBasis.js';
import { computeVertexNormals } from '../../src/core/model/normals.js';
import { FaceCropTracker } from '../../src/core/image/FaceCropTracker.js';

export interface FrontalMaps {
  /** [2][size][size] 2·uv − 1; background (−1, −1). */
  uv: Float32Array;
  /** [3][size][size] camera-space unit normals; background (0, 0, 1). */
  normals: Float32Array;
  /** Fraction of the pixels the face covers. */
  coverage: number;
}

/** Orthographic, frontal (image x = X, image y = −Y), nearest surface wins. */
export function renderFrontalMaps(model: FaceModel, size: number): FrontalMaps {
  if (!model.mediapipe478) throw new Error('The face model has no MediaPipe embedding');
  const t = model.template;
  const landmarks3d = embeddedBasis(model, model.mediapipe478).base;
  const landmarks = new Float32Array((landmarks3d.length / 3) * 2);
  for (let i = 0; i < landmarks.length / 2; i++) {
    landmarks[2 * i] = landmarks3d[3 * i]!;
    landmarks[2 * i + 1] = -landmarks3d[3 * i + 1]!;
  }
  // The tracker's crop rule; the first update is not smoothed.
  const crop = new FaceCropTracker().update(landmarks, 0);
  const toPx = (v: number): [number, number, number] => [((t[3 * v]! - crop.x) / crop.size) * size, ((-t[3 * v + 1]! - crop.y) / crop.size) * size, t[3 * v + 2]!];
  const vertexNormals = computeVertexNormals(t, model.triangles);
  const plane = size * size;
  const uv = new Float32Array(2 * plane).fill(-1);
  const normals = new Float32Array(3 * plane);
  normals.fill(1, 2 * plane);
  const depth = new Float32Array(plane).fill(-Infinity);
  const tri = model.triangles;
  for (let k = 0; k < tri.length; k += 3) {
    const ids = [tri[k]!, tri[k + 1]!, tri[k + 2]!];
    const [a, b, c] = ids.map(toPx) as [[number, number, number], [number, number, number], [number, number, number]];
    const area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    if (Math.abs(area) < 1e-12) continue;
    const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0]))), x1 = Math.min(size - 1, Math.ceil(Math.max(a[0], b[0], c[0])));
    const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1]))), y1 = Math.min(size - 1, Math.ceil(Math.max(a[1], b[1], c[1])));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5, py = y + 0.5;
        const wa = ((b[0] - px) * (c[1] - py) - (b[1] - py) * (c[0] - px)) / area;
        const wb = ((c[0] - px) * (a[1] - py) - (c[1] - py) * (a[0] - px)) / area;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        const z = wa * a[2] + wb * b[2] + wc * c[2];
        const p = y * size + x;
        if (z <= depth[p]!) continue;
        depth[p] = z;
        const w = [wa, wb, wc];
        let u = 0, v = 0, nx = 0, ny = 0, nz = 0;
        ids.forEach((id, i) => {
          u += w[i]! * model.uvs[2 * id]!;
          v += w[i]! * model.uvs[2 * id + 1]!;
          nx += w[i]! * vertexNormals[3 * id]!;
          ny += w[i]! * vertexNormals[3 * id + 1]!;
          nz += w[i]! * vertexNormals[3 * id + 2]!;
        });
        const len = Math.hypot(nx, ny, nz) || 1;
        uv[p] = 2 * u - 1;
        uv[plane + p] = 2 * v - 1;
        normals[p] = nx / len;
        normals[plane + p] = ny / len;
        normals[2 * plane + p] = nz / len;
      }
    }
  }
  let covered = 0;
  for (const d of depth) if (d > -Infinity) covered++;
  return { uv, normals, coverage: covered / plane };
}
