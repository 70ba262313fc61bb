import type { FaceModelExtras } from '../../core/model/faceModelSchema.js';

/** What a part of a face mesh is, for its material. */
export type FaceRegion = 'skin' | 'mouth' | 'teeth' | 'eye' | 'hidden';

/** Region ids in the order `FACE_REGIONS` lists them (one geometry group and material each). */
export const FACE_REGIONS: readonly FaceRegion[] = ['skin', 'mouth', 'teeth', 'eye', 'hidden'];

/**
 * ICT FaceKit's parts by original vertex index, inclusive ranges (its README's geometry table).
 * Each eyeball is two shells: the outer one ("sclera") carries the eye material, which paints
 * the iris on it; the inner iris shell would never show. The lacrimal fluid, eye-blend and
 * eye-occlusion shells are layers for Unreal's eye shaders: drawn opaque they would cover the
 * eyes. The lashes are strips made for an alpha-tested hair texture: drawn untextured they are
 * bands that smear over the lids when the eyes close.
 */
const ICT_FACEKIT: readonly (readonly [first: number, last: number, region: FaceRegion])[] = [
  [0, 11247, 'skin'], // face, head and neck
  [11248, 13293, 'mouth'], // mouth socket
  [13294, 14061, 'skin'], // eye sockets
  [14062, 17038, 'mouth'], // gums and tongue
  [17039, 21450, 'teeth'],
  [21451, 22220, 'eye'], // left eyeball, outer shell
  [22221, 23020, 'hidden'], // left iris shell
  [23021, 23790, 'eye'], // right eyeball, outer shell
  [23791, 24590, 'hidden'], // right iris shell
  [24591, 25350, 'hidden'], // lacrimal fluid, eye blend, eye occlusion
  [25351, 26718, 'hidden'], // eyelashes
];

/** Region tables by the model's UV layout name. */
const LAYOUTS: Record<string, typeof ICT_FACEKIT> = { 'ict-facekit': ICT_FACEKIT };

/**
 * The region of every glTF vertex (an index into `FACE_REGIONS`), or undefined when the
 * model's layout has no table (then the whole mesh is skin).
 */
export function faceRegions(extras: FaceModelExtras, vertexCount: number): Uint8Array | undefined {
  const table = LAYOUTS[extras.uvLayout];
  if (!table) return undefined;
  const out = new Uint8Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) {
    const source = extras.sourceVertex?.[v] ?? v;
    const entry = table.find(([first, last]) => source >= first && source <= last);
    out[v] = FACE_REGIONS.indexOf(entry?.[2] ?? 'skin');
  }
  return out;
}
