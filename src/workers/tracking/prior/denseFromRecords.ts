import type { DenseCorrespondences, NormalsSpace } from '../../../core/fit/types.js';
import { cropToFrame, type FaceCrop } from '../../../core/image/cropGeometry.js';
import { DENSE_RECORD_FLOATS } from '../../priorProtocol.js';

export interface DenseRecordFilter {
  /** Largest accepted UV distance between a vertex and the pixel found for it (UV units of [-1, 1]). */
  maxUvDistance: number;
  /**
   * Smallest z of the predicted normal (camera space, +z towards the viewer): the pixel must face
   * the camera. Camera-space normals only: a model-space normal's z says nothing of facing without
   * the head's rotation, and the fitter gates on its own model's facing anyway (`DenseSelector`).
   */
  minNormalZ: number;
}

/**
 * The lookup records of one prior run (see `denseLookupCpu`) → the fitter's correspondences in
 * full-frame pixels, their normals in `normalsSpace`. Keeps vertices found close in UV and (camera
 * space) predicted as facing the camera; weights fall linearly from 1 to 0.5 with the UV distance.
 */
export function denseFromRecords(
  records: Float32Array,
  vertices: Uint32Array,
  crop: FaceCrop,
  inputSize: number,
  timeMs: number,
  filter: DenseRecordFilter,
  normalsSpace: NormalsSpace = 'camera',
): DenseCorrespondences {
  const minNormalZ = normalsSpace === 'camera' ? filter.minNormalZ : -Infinity;
  const keep: number[] = [];
  for (let k = 0; k < vertices.length; k++) {
    const o = k * DENSE_RECORD_FLOATS;
    if (records[o]! < 0 || records[o + 2]! > filter.maxUvDistance || records[o + 5]! < minNormalZ) continue;
    keep.push(k);
  }
  const out: DenseCorrespondences = {
    vertices: new Uint32Array(keep.length),
    pixels: new Float32Array(2 * keep.length),
    normals: new Float32Array(3 * keep.length),
    weights: new Float32Array(keep.length),
    normalsSpace,
    timeMs,
  };
  keep.forEach((k, i) => {
    const o = k * DENSE_RECORD_FLOATS;
    out.vertices[i] = vertices[k]!;
    [out.pixels[2 * i], out.pixels[2 * i + 1]] = cropToFrame(crop, inputSize, records[o]!, records[o + 1]!);
    out.normals!.set(records.subarray(o + 3, o + 6), 3 * i);
    out.weights![i] = 1 - (0.5 * records[o + 2]!) / filter.maxUvDistance;
  });
  return out;
}
