/**
 * Names the UV layout of the template given to `import-flame`, so that a prior trained for one
 * layout is refused on a model with another (the tracker compares the names). FLAME's own
 * texture layout and Pixel3DMM's (their `assets/head_template.obj`, FLAME's mesh re-unwrapped as
 * "flame_new_uv_map") differ; Pixel3DMM's networks predict in theirs. Theirs is recognised by a
 * fingerprint of its texture coordinates, so that nothing of it ships with this package.
 */
import type { ObjMesh } from '../geometry/parseObj.js';

/** FLAME's distributed texture layout (and any other template). */
export const FLAME_UV_LAYOUT = 'flame';
/** Pixel3DMM's layout of FLAME's mesh; what `import-pixel3dmm` names its networks' layout by default. */
export const PIXEL3DMM_UV_LAYOUT = 'pixel3dmm-flame';

/** FNV-1a of Pixel3DMM's head_template.obj texture coordinates at 1e-4 (see `uvFingerprint`). */
const PIXEL3DMM_UV_FINGERPRINT = 4146416619;

export function flameUvLayout(template: ObjMesh): string {
  return uvFingerprint(template.uvs) === PIXEL3DMM_UV_FINGERPRINT ? PIXEL3DMM_UV_LAYOUT : FLAME_UV_LAYOUT;
}

/** A 32-bit FNV-1a hash of the texture coordinates rounded to 1e-4 (what OBJ files print). */
export function uvFingerprint(uvs: Float32Array): number {
  let hash = 0x811c9dc5;
  for (const value of uvs) {
    let q = Math.round(value * 1e4) | 0;
    for (let byte = 0; byte < 4; byte++, q >>>= 8) hash = Math.imul(hash ^ (q & 0xff), 0x01000193) >>> 0;
  }
  return hash;
}
