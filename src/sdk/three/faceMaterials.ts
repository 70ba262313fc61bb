import { BufferAttribute, type BufferGeometry, type Material, type Matrix4, MeshPhysicalMaterial, MeshStandardMaterial, Vector3 } from 'three';
import type { FaceModelExtras } from '../../core/model/faceModelSchema.js';
import { FACE_REGIONS, type FaceRegion } from './faceRegions.js';

/**
 * The avatar's default look, one material per face region: skin with a soft sheen (a cheap
 * stand-in for subsurface scattering), glossy eyes with a painted iris, teeth and a dark mouth
 * interior.
 */
export function createFaceMaterials(): Record<FaceRegion, Material> {
  return {
    skin: new MeshPhysicalMaterial({
      name: 'skin',
      color: 0xd8a58c,
      vertexColors: true,
      roughness: 0.55,
      sheen: 0.3,
      sheenColor: 0xff8a70,
      sheenRoughness: 0.5,
    }),
    mouth: new MeshStandardMaterial({ name: 'mouth', color: 0x6a2a2a, roughness: 0.6 }),
    teeth: new MeshStandardMaterial({ name: 'teeth', color: 0xd4ccbd, roughness: 0.45 }),
    // Iris and pupil are painted by the avatar's EyeRig.
    eye: new MeshPhysicalMaterial({ name: 'eye', color: 0xe4ddd6, roughness: 0.15, clearcoat: 1, clearcoatRoughness: 0.03 }),
    hidden: new MeshStandardMaterial({ name: 'hidden', visible: false }),
  };
}

/** MediaPipe FaceLandmarker contours (indices into its 478 points): outer lip line, and each brow's upper then lower edge. */
const FEATURES = [
  { contour: [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146], tint: [0.95, 0.6, 0.58], feather: 0.12 },
  { contour: [70, 63, 105, 66, 107, 55, 65, 52, 53, 46], tint: [0.42, 0.34, 0.3], feather: 0.15 },
  { contour: [300, 293, 334, 296, 336, 285, 295, 282, 283, 276], tint: [0.42, 0.34, 0.3], feather: 0.15 },
] as const;

/**
 * Adds a `color` attribute that tints the skin: redder lips and darker brows, inside the
 * outlines of MediaPipe's lip and brow contours as embedded on the model (seen from the front,
 * with soft edges `feather` cm wide scaled by the model's units). White elsewhere. Models
 * without the MediaPipe embedding stay untinted.
 */
export function addFeatureColors(geometry: BufferGeometry, extras: FaceModelExtras, toModel: Matrix4, regions?: Uint8Array): void {
  const position = geometry.attributes.position!;
  const colors = new Float32Array(3 * position.count).fill(1);
  geometry.setAttribute('color', new BufferAttribute(colors, 3));
  const embedding = extras.mediapipe478;
  if (!embedding) return;
  const p = new Vector3();
  const model = new Float32Array(3 * position.count);
  for (let v = 0; v < position.count; v++) p.fromBufferAttribute(position, v).applyMatrix4(toModel).toArray(model, 3 * v);
  const landmark = (k: number) => {
    const out = [0, 0, 0];
    for (let j = 0; j < 3; j++) {
      const v = embedding.vertices[3 * k + j]!, w = embedding.weights[3 * k + j]!;
      for (let c = 0; c < 3; c++) out[c]! += w * model[3 * v + c]!;
    }
    return out as [number, number, number];
  };
  const unitsPerCm = 0.01 / extras.metersPerUnit;
  const skin = FACE_REGIONS.indexOf('skin');
  for (const feature of FEATURES) {
    const polygon = feature.contour.map(landmark);
    const depth = polygon.reduce((a, q) => a + q[2], 0) / polygon.length;
    const feather = feature.feather * unitsPerCm;
    for (let v = 0; v < position.count; v++) {
      if (regions && regions[v] !== skin) continue;
      const x = model[3 * v]!, y = model[3 * v + 1]!, z = model[3 * v + 2]!;
      // Only the front surface near the contour's depth (not the back of the head behind it).
      if (Math.abs(z - depth) > 2 * unitsPerCm) continue;
      const inside = signedDistance(polygon, x, y);
      const s = Math.min(1, Math.max(0, (inside + feather) / (2 * feather)));
      if (s === 0) continue;
      for (let c = 0; c < 3; c++) colors[3 * v + c]! *= 1 + s * (feature.tint[c]! - 1);
    }
  }
}

/** Distance from (x, y) to a closed polygon's outline in the XY plane: positive inside, negative outside. */
function signedDistance(polygon: readonly (readonly number[])[], x: number, y: number): number {
  let inside = false;
  let best = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ax, ay] = polygon[i]!, [bx, by] = polygon[j]!;
    if (ay! > y !== by! > y && x < ((bx! - ax!) * (y - ay!)) / (by! - ay!) + ax!) inside = !inside;
    const dx = bx! - ax!, dy = by! - ay!;
    const t = Math.min(1, Math.max(0, ((x - ax!) * dx + (y - ay!) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - ax! - t * dx, y - ay! - t * dy));
  }
  return inside ? best : -best;
}
