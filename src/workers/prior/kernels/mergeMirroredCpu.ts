/**
 * Test-time augmentation (as the official Pixel3DMM code does): the maps predicted on the
 * mirrored crop, mirrored back and averaged with the plain ones. CPU reference of the merge
 * kernel in `GpuDenseLookup`, and the WASM backend's path.
 *
 * Mirroring the image negates a normal's x, in camera and in model space alike (both frames have
 * x as the face's left-right axis). A UV is mirrored (u → 2c − u, v kept) only when the UV layout
 * is left-right symmetric about a known centre c (`uvMirrorCentre`, the output's [-1, 1] units);
 * otherwise the plain UV map is kept as is.
 */
export interface PriorMaps {
  /** [2][size][size] */
  uv: Float32Array;
  /** [3][size][size] */
  normals: Float32Array;
}

export function mergeMirroredCpu(plain: PriorMaps, mirrored: PriorMaps, size: number, uvMirrorCentre: number | undefined): PriorMaps {
  const plane = size * size;
  const uv = new Float32Array(plain.uv), normals = new Float32Array(3 * plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const k = y * size + x, m = y * size + (size - 1 - x);
      if (uvMirrorCentre !== undefined) {
        uv[k] = 0.5 * (plain.uv[k]! + 2 * uvMirrorCentre - mirrored.uv[m]!);
        uv[plane + k] = 0.5 * (plain.uv[plane + k]! + mirrored.uv[plane + m]!);
      }
      const nx = plain.normals[k]! - mirrored.normals[m]!;
      const ny = plain.normals[plane + k]! + mirrored.normals[plane + m]!;
      const nz = plain.normals[2 * plane + k]! + mirrored.normals[2 * plane + m]!;
      const len = Math.hypot(nx, ny, nz) || 1;
      normals[k] = nx / len;
      normals[plane + k] = ny / len;
      normals[2 * plane + k] = nz / len;
    }
  }
  return { uv, normals };
}
