import { SepconvError } from '../errors.js';
import { mulberry32, uniformArray } from '../util/random.js';
import { Act } from './act.js';
import { GEMM_TILES, gemm, gemmTileShape, packGemmWeights } from './gemm.js';
import type { Kernels } from './loader.js';

/**
 * The machine's GEMM ceiling: the best f32-gemm tile on a large square problem, the achievable
 * matmul rate a layer's GFLOP/s is compared with (`npm run bench:kernels`, `sepconv profile`).
 */

/** The square problem the ceiling is measured on: C[m][n] = A[m][k] W[k][n] (relu6 epilogue). */
export const CEILING_SHAPE = { m: 1024, k: 512, n: 512 } as const;

/** One tile on the ceiling problem, buffers allocated (in `k.arena`) and filled before run() is timed. */
export interface GemmCeilingCase {
  kernel: string;
  tile: string;
  shape: string;
  /** Floating-point operations per run() (2 per multiply-add). */
  flops: number;
  run: () => void;
}

const data = (n: number, seed: number): Float32Array => uniformArray(n, mulberry32(seed), -0.5, 0.5);

/**
 * One case per GEMM tile (default: every tile) on CEILING_SHAPE. The input and output buffers are
 * shared by the cases; each tile gets its own packed weights. Free them with `k.arena.release`.
 */
export function gemmCeilingCases(k: Kernels, tiles: readonly string[] = GEMM_TILES): GemmCeilingCase[] {
  const { m, k: kk, n } = CEILING_SHAPE;
  const a = k.arena.put(data(m * kk, 1));
  const c = k.arena.allocF32(m * n);
  const weights = data(n * kk, 2);
  const bias = data(n, 9);
  return tiles.map((tile) => {
    const w = k.arena.put(packGemmWeights(weights, bias, n, kk, gemmTileShape(tile)[1]));
    return {
      kernel: `f32-gemm-${tile}`,
      tile,
      shape: `m=${m} k=${kk} n=${n}`,
      flops: 2 * m * n * kk,
      run: () => gemm(k, { m, n, k: kk, a, w, c, act: Act.relu6, tile }),
    };
  });
}

export interface GemmCeiling {
  /** GFLOP/s of the fastest tile (median of its timed runs). */
  gflops: number;
  /** Manifest name of that tile, e.g. 'f32-gemm-3x12'. */
  kernel: string;
  /** The problem, e.g. 'm=1024 k=512 n=512'. */
  shape: string;
  /** Kernel build measured. */
  variant: string;
  /** Best GFLOP/s of every tile in the screening pass. */
  tiles: Record<string, number>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * Measures the GEMM ceiling on `k` in about `timeMs` of wall time: every tile runs a warm-up and
 * `screenRuns` timed runs (best time kept), then the `finalists` fastest tiles run repeatedly for
 * the rest of the budget (at least 5 times each) and the best median wins. Synchronous; uses
 * (and frees) kernel memory above the arena's current top.
 */
export function measureGemmCeiling(
  k: Kernels,
  options: { timeMs?: number; tiles?: readonly string[]; screenRuns?: number; finalists?: number } = {},
): GemmCeiling {
  const timeMs = options.timeMs ?? 600;
  const screenRuns = options.screenRuns ?? 2;
  const tiles = options.tiles ?? GEMM_TILES;
  if (tiles.length === 0) throw new SepconvError('measureGemmCeiling: no tiles to measure');
  const mark = k.arena.mark();
  try {
    const cases = gemmCeilingCases(k, tiles);
    const start = performance.now();
    const screened = cases.map((c) => {
      c.run();
      let best = Infinity;
      for (let i = 0; i < screenRuns; i++) {
        const t0 = performance.now();
        c.run();
        best = Math.min(best, performance.now() - t0);
      }
      return { c, gflops: c.flops / best / 1e6 };
    });
    screened.sort((x, y) => y.gflops - x.gflops);
    const finalists = screened.slice(0, Math.max(1, options.finalists ?? 2));
    const left = Math.max(0, timeMs - (performance.now() - start));
    let best = { kernel: finalists[0].c.kernel, shape: finalists[0].c.shape, gflops: 0 };
    for (const f of finalists) {
      const ms: number[] = [];
      const until = performance.now() + left / finalists.length;
      while (ms.length < 5 || (performance.now() < until && ms.length < 1000)) {
        const t0 = performance.now();
        f.c.run();
        ms.push(performance.now() - t0);
      }
      const g = f.c.flops / median(ms) / 1e6;
      if (g > best.gflops) best = { kernel: f.c.kernel, shape: f.c.shape, gflops: g };
    }
    return { ...best, variant: k.variant, tiles: Object.fromEntries(screened.map((s) => [s.c.kernel, s.gflops])) };
  } finally {
    k.arena.release(mark);
  }
}
