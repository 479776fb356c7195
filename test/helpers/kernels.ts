import { mulberry32, uniformArray } from '../../src/util/random.js';
import { loadKernels, type Kernels, type WasmVariant } from '../../src/kernels/loader.js';

/** Both wasm builds; vitest workers run with --experimental-wasm-relaxed-simd (vitest.config.ts). */
export const VARIANTS: WasmVariant[] = ['simd', 'relaxed'];

const cache = new Map<WasmVariant, Promise<Kernels>>();

/** One kernel instance per variant per test file; call arena.reset() between cases. */
export function kernelsFor(variant: WasmVariant): Promise<Kernels> {
  let p = cache.get(variant);
  if (!p) {
    p = loadKernels({ variant });
    cache.set(variant, p);
  }
  return p;
}

/** Seeded PRNG (mulberry32) so every failure is reproducible. */
export const rng = mulberry32;

/** Uniform random floats in [lo, hi). */
export const randomArray = uniformArray;

/** Integer in [lo, hi]. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** The kernel tolerance used throughout: relative 1e-5 of the reference output's max |value|. */
export const REL_TOL = 1e-5;

/**
 * Asserts max|actual - expected| <= rel * max(max|expected|, floor). Returns the error so
 * tests can report it. Also checks lengths and that no NaN appears where expected is finite.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, rel = REL_TOL, floor = 1e-6): number {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  }
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) maxRef = Math.max(maxRef, Math.abs(expected[i]));
  const tol = rel * Math.max(maxRef, floor);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = Number.isNaN(d) ? Infinity : d;
      worstAt = i;
    }
  }
  if (worst > tol) {
    throw new Error(
      `${label}: max |diff| ${worst} at index ${worstAt} (got ${actual[worstAt]}, want ${expected[worstAt]}) exceeds ${rel} * max|ref| = ${tol}`,
    );
  }
  return worst;
}
