import { GEMM_TILES, gemm, gemmTileShape, packGemmWeights, selectGemmTile } from '../../src/kernels/gemm.js';
import { Act } from '../../src/kernels/act.js';
import { gemmCeilingCases } from '../../src/kernels/ceiling.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { POINTWISE, POINTWISE_MBV2, type PointwiseShape } from '../shapes.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

/**
 * A pointwise layer as `groups` GEMMs on channel slices of one NHWC input/output tensor
 * (groups = 1: one GEMM), buffers allocated and filled before timing.
 */
function pointwiseCase(k: Kernels, s: PointwiseShape, tile: string, goal?: string): BenchCase {
  const groups = s.groups ?? 1;
  const kg = s.k / groups;
  const ng = s.n / groups;
  const [, nr] = gemmTileShape(tile);
  const a = k.arena.put(rand(s.m * s.k, 1));
  const c = k.arena.allocF32(s.m * s.n);
  const ws: number[] = [];
  for (let g = 0; g < groups; g++) ws.push(k.arena.put(packGemmWeights(rand(ng * kg, 2 + g), rand(ng, 9), ng, kg, nr)));
  const run =
    groups === 1
      ? () => gemm(k, { m: s.m, n: s.n, k: s.k, a, w: ws[0], c, act: Act.relu6, tile })
      : () => {
          for (let g = 0; g < groups; g++) {
            gemm(k, { m: s.m, n: ng, k: kg, a: a + 4 * g * kg, aStride: s.k, w: ws[g], c: c + 4 * g * ng, cStride: s.n, act: Act.relu, tile });
          }
        };
  return {
    kernel: `f32-gemm-${tile}`,
    model: s.model,
    shape: `${s.m} ${s.k}->${s.n}${groups > 1 ? ` g${groups}` : ''}`,
    flops: 2 * s.m * s.n * kg,
    goal,
    run,
  };
}

/**
 * The default tile (selectGemmTile) on every pointwise layer shape; the MobileNetV2 ones count
 * towards the 'pointwise-mbv2' goal. Then every other tile on the MobileNetV2 shapes (no goal),
 * so tiles can be compared in one run.
 */
export const cases: CaseFactory = (k) => {
  const out: BenchCase[] = [];
  for (const s of POINTWISE) {
    const tile = selectGemmTile({ m: s.m, n: s.n / (s.groups ?? 1), k: s.k / (s.groups ?? 1) });
    out.push(pointwiseCase(k, s, tile, POINTWISE_MBV2.includes(s) ? 'pointwise-mbv2' : undefined));
  }
  for (const tile of GEMM_TILES) {
    for (const s of POINTWISE_MBV2) {
      if (tile === selectGemmTile({ m: s.m, n: s.n, k: s.k })) continue;
      out.push(pointwiseCase(k, s, tile));
    }
  }
  return out;
};

/**
 * One case per GEMM tile on a large square shape; the fastest is the run's GEMM ceiling
 * (the same cases `sepconv profile` measures: src/kernels/ceiling.ts).
 */
export function gemmCeiling(k: Kernels): BenchCase[] {
  return gemmCeilingCases(k).map((c) => ({ kernel: c.kernel, model: 'square', shape: c.shape, flops: c.flops, run: c.run }));
}
