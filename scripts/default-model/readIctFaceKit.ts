import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { parseObj, type ObjMesh } from '../../src/authoring/geometry/parseObj.js';

/** Upstream's index sets (vertex_indices.json); vertex indices refer to the OBJ's vertices. */
export interface IctVertexIndices {
  /** The 53 expression shapes upstream fits with, ICT names (`eyeBlink_L`, …). */
  expressions: string[];
  idx_to_fitting_verts: number[];
  idx_to_landmark_verts: number[];
}

/** The ICT FaceKit as repacked in `../shared/assets/ict-facekit` (see its README). */
export interface IctFaceKit {
  obj: ObjMesh;
  /** Shape names in `deltas` order: identity000..identity099, then the expression shapes. */
  shapeNames: string[];
  /** [shape][objVertex][3], centimetres: each shape minus the neutral. */
  deltas: Float32Array;
  indices: IctVertexIndices;
  /** Upstream's sample identity (`sample_identity_coeffs.json`). */
  sampleIdentity: number[];
}

export function readIctFaceKit(dir: string): IctFaceKit {
  const obj = parseObj(readFileSync(join(dir, 'generic_neutral_mesh.obj'), 'utf8'));
  const layout = JSON.parse(readFileSync(join(dir, 'shape-deltas.json'), 'utf8')) as { vertexCount: number; shapes: string[] };
  const raw = brotliDecompressSync(readFileSync(join(dir, 'shape-deltas.f32.br')));
  // Copy into an aligned buffer: the decompressed Buffer may sit at any byte offset.
  const deltas = new Float32Array(raw.byteLength / 4);
  new Uint8Array(deltas.buffer).set(raw);
  const vertexCount = obj.positions.length / 3;
  if (layout.vertexCount !== vertexCount || deltas.length !== layout.shapes.length * vertexCount * 3) {
    throw new Error(`ICT FaceKit in ${dir}: shape-deltas do not match the neutral mesh (${vertexCount} vertices)`);
  }
  const indices = JSON.parse(readFileSync(join(dir, 'vertex_indices.json'), 'utf8')) as IctVertexIndices;
  const sample = JSON.parse(readFileSync(join(dir, 'sample_identity_coeffs.json'), 'utf8')) as { identity_coefficients: number[] };
  return { obj, shapeNames: layout.shapes, deltas, indices, sampleIdentity: sample.identity_coefficients };
}
