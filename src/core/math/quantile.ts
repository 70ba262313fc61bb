/**
 * The q-quantile (q in 0..1) of `values` by nearest rank on a sorted copy: the value at
 * round(q·(n − 1)), so 0.5 of an even count takes the upper middle and 1 the largest. NaN when
 * empty. One definition for the SDK's stats, the authoring reports and the benchmarks.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}
