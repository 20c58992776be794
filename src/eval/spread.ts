/** Mean and sample standard deviation. */
export function meanAndSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

/** Mean ± sample standard deviation (min–max) of a figure over seeds, as the benchmarks print it. */
export function spread(xs: readonly number[]): string {
  const { mean, sd } = meanAndSd(xs);
  return `${mean.toFixed(4)} ± ${sd.toFixed(4)} (${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)})`;
}
