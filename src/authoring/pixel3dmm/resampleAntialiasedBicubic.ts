/**
 * Resizes a grid of vectors as PyTorch's `F.interpolate(mode='bicubic', antialias=True,
 * align_corners=False)` does: separable, Keys' cubic with a = −0.5, taps clipped to the grid and
 * their weights renormalised (PIL's filter, not the a = −0.75 clamped one without antialias).
 * timm resizes a ViT's position embedding this way when it runs at another image size, so a
 * network exported at a fixed size carries the resized table.
 */

/** Keys' cubic convolution kernel, a = −0.5. */
function cubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** For each output index: the first input index and the normalised weights of its taps. */
function taps(inputSize: number, outputSize: number): { first: number; weights: Float64Array }[] {
  const scale = inputSize / outputSize;
  // Downsampling widens the kernel (the antialiasing); upsampling keeps it at 2 input pixels.
  const support = scale >= 1 ? 2 * scale : 2;
  const invScale = scale >= 1 ? 1 / scale : 1;
  return Array.from({ length: outputSize }, (_, i) => {
    const centre = scale * (i + 0.5);
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const count = Math.min(Math.trunc(centre + support + 0.5), inputSize) - first;
    const weights = Float64Array.from({ length: count }, (_, j) => cubic((j + first - centre + 0.5) * invScale));
    const total = weights.reduce((s, w) => s + w, 0);
    if (total !== 0) weights.forEach((w, j) => (weights[j] = w / total));
    return { first, weights };
  });
}

/**
 * `grid`: [rows][cols][channels], row-major. Returns [outRows][outCols][channels].
 */
export function resampleAntialiasedBicubic(grid: Float32Array, rows: number, cols: number, channels: number, outRows: number, outCols: number): Float32Array {
  if (grid.length !== rows * cols * channels) throw new Error(`resampleAntialiasedBicubic: ${grid.length} values for ${rows}×${cols}×${channels}`);
  // Along the columns first, then the rows.
  const across = taps(cols, outCols), down = taps(rows, outRows);
  const wide = new Float64Array(rows * outCols * channels);
  for (let r = 0; r < rows; r++) {
    across.forEach(({ first, weights }, c) => {
      const out = (r * outCols + c) * channels;
      weights.forEach((w, j) => {
        const src = (r * cols + first + j) * channels;
        for (let k = 0; k < channels; k++) wide[out + k] += w * grid[src + k]!;
      });
    });
  }
  const out = new Float32Array(outRows * outCols * channels);
  down.forEach(({ first, weights }, r) => {
    for (let c = 0; c < outCols; c++) {
      const dst = (r * outCols + c) * channels;
      weights.forEach((w, j) => {
        const src = ((first + j) * outCols + c) * channels;
        for (let k = 0; k < channels; k++) out[dst + k] += w * wide[src + k]!;
      });
    }
  });
  return out;
}
