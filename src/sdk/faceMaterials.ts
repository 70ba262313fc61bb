import { BufferAttribute, type BufferGeometry, type Material, type Matrix4, MeshPhysicalMaterial, MeshStandardMaterial, Vector3 } from 'three';
import type { FaceModelExtras } from '../core/model/faceModelSchema.js';
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
      sheen: 0.6,
      sheenColor: 0xff8a70,
      sheenRoughness: 0.5,
    }),
    mouth: new MeshStandardMaterial({ name: 'mouth', color: 0x6a2a2a, roughness: 0.6 }),
    teeth: new MeshStandardMaterial({ name: 'teeth', color: 0xe8e0d0, roughness: 0.35 }),
    eye: createEyeMaterial(),
    hidden: new MeshStandardMaterial({ name: 'hidden', visible: false }),
  };
}

/** Name of the vertex attribute the eye material reads: each eyeball vertex's direction from its eye's centre. */
export const EYE_DIRECTION = 'eyeDirection';

/**
 * Adds `eyeDirection` to the geometry: for each vertex of an 'eye' region, the unit direction
 * from the centre of its eyeball (left and right told apart by the side of the midline), in
 * the model's frame (which faces +Z). It moves with the vertex under morphs, so the painted
 * iris follows the eyeLook shapes.
 */
export function addEyeDirections(geometry: BufferGeometry, regions: Uint8Array, toModel: Matrix4): void {
  const position = geometry.attributes.position!;
  const eye = FACE_REGIONS.indexOf('eye');
  const p = new Vector3();
  const centres = [new Vector3(), new Vector3()];
  const counts = [0, 0];
  const model = new Float32Array(3 * position.count);
  for (let v = 0; v < position.count; v++) {
    if (regions[v] !== eye) continue;
    p.fromBufferAttribute(position, v).applyMatrix4(toModel).toArray(model, 3 * v);
    const side = p.x >= 0 ? 0 : 1;
    centres[side]!.add(p);
    counts[side]!++;
  }
  centres.forEach((c, side) => c.divideScalar(Math.max(1, counts[side]!)));
  const directions = new Float32Array(3 * position.count);
  for (let v = 0; v < position.count; v++) {
    if (regions[v] !== eye) continue;
    p.fromArray(model, 3 * v);
    p.sub(centres[p.x >= 0 ? 0 : 1]!).normalize().toArray(directions, 3 * v);
  }
  geometry.setAttribute(EYE_DIRECTION, new BufferAttribute(directions, 3));
}

/**
 * A glossy eyeball that paints its own iris and pupil: from `eyeDirection`, the angle off the
 * eye's forward axis (+Z) picks sclera, iris (with radial fibres and a dark limbal ring) or
 * pupil. Sizes as sines of that angle.
 */
function createEyeMaterial(): MeshPhysicalMaterial {
  const material = new MeshPhysicalMaterial({ name: 'eye', color: 0xf2ede8, roughness: 0.15, clearcoat: 1, clearcoatRoughness: 0.03 });
  material.onBeforeCompile = (shader) => {
    shader.vertexShader = shader.vertexShader
      .replace('#include <common>', `#include <common>\nattribute vec3 ${EYE_DIRECTION};\nvarying vec3 vEyeDirection;`)
      .replace('#include <begin_vertex>', `#include <begin_vertex>\nvEyeDirection = ${EYE_DIRECTION};`);
    shader.fragmentShader = shader.fragmentShader
      .replace('#include <common>', '#include <common>\nvarying vec3 vEyeDirection;')
      .replace(
        '#include <color_fragment>',
        `#include <color_fragment>
        {
          vec3 d = normalize(vEyeDirection);
          float r = d.z > 0.0 ? length(d.xy) : 1.0;
          const float irisR = 0.46, pupilR = 0.17;
          float a = atan(d.y, d.x);
          float fibres = 0.8 + 0.2 * sin(a * 37.0 + 9.0 * r) * sin(a * 23.0 - 13.0 * r);
          vec3 iris = mix(vec3(0.20, 0.12, 0.06), vec3(0.42, 0.28, 0.14), smoothstep(pupilR, irisR, r)) * fibres;
          iris *= 1.0 - 0.6 * smoothstep(irisR - 0.08, irisR, r);
          diffuseColor.rgb = mix(diffuseColor.rgb, iris, 1.0 - smoothstep(irisR - 0.01, irisR + 0.015, r));
          diffuseColor.rgb = mix(diffuseColor.rgb, vec3(0.01), 1.0 - smoothstep(pupilR - 0.01, pupilR + 0.01, r));
        }`,
      );
  };
  return material;
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
