import { describe, expect, it } from 'vitest';
import { addLinear } from '../../src/core/model/FaceModelEvaluator.js';

describe('addLinear', () => {
  it('adds Σ c_k · row_k for every coefficient count, skipping zeros, like the one-row-at-a-time sum', () => {
    const n = 7;
    for (let count = 0; count <= 19; count++) {
      const basis = Float32Array.from({ length: count * n }, (_, i) => Math.sin(i * 1.3));
      const coefficients = Float64Array.from({ length: count }, (_, k) => (k % 3 === 1 ? 0 : Math.cos(k) * 2));
      const out = Float64Array.from({ length: n }, (_, i) => i);
      const expected = Float64Array.from(out);
      for (let k = 0; k < count; k++) for (let i = 0; i < n; i++) expected[i] += coefficients[k]! * basis[k * n + i]!;
      addLinear(out, basis, coefficients);
      for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(expected[i]!, 12);
    }
  });

  it('uses only as many coefficients as the basis has rows', () => {
    const out = new Float32Array(2);
    addLinear(out, Float32Array.of(1, 2), [3, 100]);
    expect(Array.from(out)).toEqual([3, 6]);
  });
});
