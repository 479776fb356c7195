import { BufferError, ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, stridedExtent, viewsOverlap } from './validate.js';

/**
 * f32 GEMM = pointwise (1x1) convolution over NHWC pixels:
 *   c[i][j] = act(sum_p a[i][p] * W[j][p] + bias[j] + r[i][j]),  i < m pixels, j < n channels,
 * with strided rows (channel slices of wider tensors are read and written in place).
 *
 * Tiles are `<MR>x<NR>`: MR pixels x NR output channels per K step, MR*NR/4 accumulators.
 * V8 hoists all loads of a K step, so a tile keeps MR*NR/4 accumulators + NR/4 weight vectors +
 * MR input broadcasts live; x86 gives wasm 15 allocatable xmm registers, so only tiles with
 * (MR+1)(NR/4+1) <= 16 run without spilling: 3x12 (9 accumulators), 2x16 and 4x8 (8 each),
 * 2x8, 1x16. 3x16, 4x16, 5x8, 6x8 and 8x8 (10-16 accumulators) spill on x86 and are there for
 * ARM (32 NEON registers), where they should win: measure there before making them the default.
 */
export const GEMM_TILES = ['1x16', '2x16', '3x16', '4x16', '3x12', '2x8', '4x8', '5x8', '6x8', '8x8'] as const;
export type GemmTile = (typeof GEMM_TILES)[number];

/**
 * The default tile: 3x12 (3 pixels x 12 channels, 9 accumulators, 3 weight vectors, 3 input
 * broadcasts = 15 registers). With relaxed SIMD a K step's FMA chain has 4 cycles of latency and
 * two FMA pipes need >= 8 independent chains: 3x12 is the only spill-free tile with more than 8,
 * and it measured best on the MobileNetV2 pointwise shapes in the relaxed build (FLOP-weighted
 * 72-73% of the peak loop against 66-68% for 2x16 and 4x8, interleaved runs on the project's
 * x86 VM, Intel Xeon, Node 20); in the simd build the three are within noise (93-95%). Its
 * narrower tail microkernels (8 and 4 channels) keep the padding waste of n = 24, 40, 88 ... small.
 */
export const DEFAULT_GEMM_TILE: GemmTile = '3x12';

export const kernels: KernelInfo[] = GEMM_TILES.map((tile) => {
  const [mr, nr] = tile.split('x').map(Number);
  return defineKernel({
    op: 'gemm',
    tile,
    summary:
      `pointwise conv / GEMM, ${mr} pixels x ${nr} channels per step: c = act(a.W + bias [+ r]) on strided rows; ` +
      `weights from packGemmWeights(nr = ${nr}); any m, n, k; writes only channels [0, n)`,
    reference: 'src/reference/gemm.ts#refGemm',
  });
});

/** [MR, NR] of a tile name ('2x16' -> [2, 16]). */
export function gemmTileShape(tile: string): [number, number] {
  if (!(GEMM_TILES as readonly string[]).includes(tile)) {
    throw new ShapeError(`f32-gemm: tile '${tile}' is unknown; use one of ${GEMM_TILES.join(', ')}`);
  }
  const [mr, nr] = tile.split('x').map(Number);
  return [mr, nr];
}

/**
 * The tile for a GEMM of m pixels, n output channels, k input channels: 2x16 for 12 < n <= 16
 * (one full 16-wide panel, where 3x12 would run a 12- and a 4-channel pass; measured faster on
 * 12544 x 32 -> 16), DEFAULT_GEMM_TILE (3x12) otherwise. Weights must be packed with the NR of
 * the tile that runs (gemmTileShape(tile)[1]).
 */
export function selectGemmTile(shape?: { m: number; n: number; k: number }): GemmTile {
  if (shape && shape.n <= 16 && shape.n > 12) return '2x16';
  return DEFAULT_GEMM_TILE;
}

/** Floats of packed weights for n output channels, k input channels, panels of nr channels. */
export function packedGemmSize(n: number, k: number, nr: number): number {
  return Math.ceil(n / nr) * nr * (k + 1);
}

/**
 * Packs [n][k] weights (output-major) and an optional bias[n] into panels of `nr` output
 * channels: each panel is bias[nr] followed by k rows of nr weights (row p holds W[j][p] for
 * the panel's channels j). n is padded to a multiple of nr with zeros.
 */
export function packGemmWeights(
  weights: ArrayLike<number>, bias: ArrayLike<number> | null, n: number, k: number, nr: number,
): Float32Array {
  checkInt('packGemmWeights', 'n', n, 0);
  checkInt('packGemmWeights', 'k', k, 0);
  checkInt('packGemmWeights', 'nr', nr, 1);
  if (weights.length !== n * k) {
    throw new ShapeError(`packGemmWeights: weights has ${weights.length} values but n * k = ${n} * ${k} = ${n * k}`);
  }
  if (bias && bias.length !== n) {
    throw new ShapeError(`packGemmWeights: bias has ${bias.length} values but n = ${n}`);
  }
  const out = new Float32Array(packedGemmSize(n, k, nr));
  const panel = nr * (k + 1);
  for (let j = 0; j < n; j++) {
    const base = Math.floor(j / nr) * panel;
    const lane = j % nr;
    if (bias) out[base + lane] = bias[j];
    for (let p = 0; p < k; p++) out[base + nr + p * nr + lane] = weights[j * k + p];
  }
  return out;
}

/**
 * Packs grouped pointwise weights [cout][cin / groups] (group g owns output channels
 * [g * cout/groups, (g+1) * cout/groups)) into one packGemmWeights array per group.
 */
export function packGroupedPointwise(
  weights: ArrayLike<number>, bias: ArrayLike<number> | null, cout: number, cin: number, groups: number, nr: number,
): Float32Array[] {
  checkGroups('packGroupedPointwise', cin, cout, groups);
  const ng = cout / groups;
  const kg = cin / groups;
  if (weights.length !== cout * kg) {
    throw new ShapeError(`packGroupedPointwise: weights has ${weights.length} values but cout * cin/groups = ${cout * kg}`);
  }
  if (bias && bias.length !== cout) throw new ShapeError(`packGroupedPointwise: bias has ${bias.length} values but cout = ${cout}`);
  const out: Float32Array[] = [];
  // typed arrays are sliced as views (Array.prototype.slice would copy them into boxed JS arrays)
  const part = (a: ArrayLike<number>, from: number, to: number): ArrayLike<number> =>
    ArrayBuffer.isView(a) ? (a as Float32Array).subarray(from, to) : Array.prototype.slice.call(a, from, to);
  for (let g = 0; g < groups; g++) {
    const w = groups === 1 ? weights : part(weights, g * ng * kg, (g + 1) * ng * kg);
    const b = bias ? (groups === 1 ? bias : part(bias, g * ng, (g + 1) * ng)) : null;
    out.push(packGemmWeights(w, b, ng, kg, nr));
  }
  return out;
}

function checkGroups(kernel: string, cin: number, cout: number, groups: number): void {
  checkInt(kernel, 'groups', groups, 1);
  checkInt(kernel, 'cin', cin, 0);
  checkInt(kernel, 'cout', cout, 0);
  if (cin % groups !== 0) throw new ShapeError(`${kernel}: cin = ${cin} must be a multiple of groups = ${groups}`);
  if (cout % groups !== 0) throw new ShapeError(`${kernel}: cout = ${cout} must be a multiple of groups = ${groups}`);
}

/**
 * Whether two strided row regions (rows x cols floats, `stride` floats apart) share a float:
 * validate.ts viewsOverlap (exact for channel slices of one NHWC tensor, conservative otherwise).
 */
export function stridedOverlap(
  aPtr: number, aRows: number, aCols: number, aStride: number,
  bPtr: number, bRows: number, bCols: number, bStride: number,
): boolean {
  return viewsOverlap(
    { name: 'a', ptr: aPtr, rows: aRows, cols: aCols, stride: aStride },
    { name: 'b', ptr: bPtr, rows: bRows, cols: bCols, stride: bStride },
  );
}

export interface GemmArgs {
  /** Pixels (rows of a, c, r). */
  m: number;
  /** Output channels. */
  n: number;
  /** Input channels. */
  k: number;
  /** Input pointer; row i at a + 4 * i * aStride. */
  a: number;
  /** Floats between consecutive input pixels (default k). */
  aStride?: number;
  /** Packed weights (packGemmWeights with this tile's NR). */
  w: number;
  /** Output pointer; row i at c + 4 * i * cStride; only channels [0, n) are written. */
  c: number;
  /** Floats between consecutive output pixels (default n). */
  cStride?: number;
  act: ActCode;
  /** Residual added before the activation (0 / absent = none); may be exactly c (in place). */
  r?: number;
  /** Floats between consecutive residual pixels (default n). */
  rStride?: number;
  /** Tile, e.g. '2x16' (default selectGemmTile()). */
  tile?: string;
}

/** Validates and runs one GEMM. Throws ShapeError / BufferError before touching memory. */
export function gemm(kern: Kernels, args: GemmArgs): void {
  const tile = args.tile ?? selectGemmTile(args);
  const [, nr] = gemmTileShape(tile);
  const name = `f32-gemm-${tile}`;
  const { m, n, k, a, w, c, act } = args;
  const r = args.r ?? 0;
  checkInt(name, 'm', m, 0);
  checkInt(name, 'n', n, 0);
  checkInt(name, 'k', k, 0);
  const aStride = args.aStride ?? k;
  const cStride = args.cStride ?? n;
  const rStride = args.rStride ?? n;
  checkStride(name, 'aStride', aStride, k, 'k');
  checkStride(name, 'cStride', cStride, Math.max(n, 1), 'n');
  if (r !== 0) checkStride(name, 'rStride', rStride, Math.max(n, 1), 'n');
  checkAct(name, act);
  if (m === 0 || n === 0) return;
  checkBuffer(kern, name, 'a', a, stridedExtent(m, k, aStride));
  checkBuffer(kern, name, 'w', w, packedGemmSize(n, k, nr));
  checkBuffer(kern, name, 'c', c, stridedExtent(m, n, cStride));
  if (r !== 0) checkBuffer(kern, name, 'r', r, stridedExtent(m, n, rStride));
  if (stridedOverlap(c, m, n, cStride, a, m, k, aStride)) {
    throw new BufferError(`${name}: output 'c' overlaps input 'a'; give the output its own buffer or a disjoint channel slice`);
  }
  const wFloats = packedGemmSize(n, k, nr);
  if (stridedOverlap(c, m, n, cStride, w, 1, wFloats, wFloats)) {
    throw new BufferError(`${name}: output 'c' overlaps the packed weights 'w'`);
  }
  if (r !== 0 && !(r === c && rStride === cStride) && stridedOverlap(c, m, n, cStride, r, m, n, rStride)) {
    throw new BufferError(
      `${name}: output 'c' partly overlaps residual 'r'; the residual may be exactly the output (same pointer and stride) or disjoint`,
    );
  }
  kern.fn(name)(m, n, k, a, aStride, w, c, cStride, act, r, rStride);
}

export interface PointwiseConvArgs {
  /** Pixels. */
  m: number;
  cin: number;
  cout: number;
  groups: number;
  input: number;
  /** Floats between input pixels (default cin). */
  inStride?: number;
  output: number;
  /** Floats between output pixels (default cout). */
  outStride?: number;
  /**
   * Per group: pointer to packGemmWeights(group's [cout/groups][cin/groups] weights, ..., nr) with
   * nr = gemmTileShape(tile)[1] of the tile that runs (`tile`, else selectGemmTile({m, n: cout/groups,
   * k: cin/groups})): packed weights do not record their panel width.
   */
  packedPerGroup: readonly number[];
  act: ActCode;
  /** Residual [m][cout] added before the activation (0 / absent = none). */
  residual?: number;
  residualStride?: number;
  tile?: string;
}

/**
 * Grouped pointwise convolution: group g reads input channels [g*cin/g', ...) and writes output
 * channels [g*cout/groups, ...), one GEMM per group on channel slices (strides = the full tensors'
 * pixel strides). With groups = 1 it is a plain pointwise conv. This is how ShuffleNet group
 * convs, concat and channel shuffle write in place: pass the slice pointer and the wide stride.
 */
export function pointwiseConv(kern: Kernels, p: PointwiseConvArgs): void {
  const tile = p.tile ?? selectGemmTile({ m: p.m, n: p.cout / p.groups, k: p.cin / p.groups });
  const name = `f32-gemm-${tile}`;
  checkGroups(name, p.cin, p.cout, p.groups);
  checkInt(name, 'm', p.m, 0);
  if (p.packedPerGroup.length !== p.groups) {
    throw new ShapeError(`${name}: packedPerGroup has ${p.packedPerGroup.length} pointers but groups = ${p.groups}`);
  }
  const inStride = p.inStride ?? p.cin;
  const outStride = p.outStride ?? p.cout;
  const resStride = p.residualStride ?? p.cout;
  checkStride(name, 'inStride', inStride, p.cin, 'cin');
  checkStride(name, 'outStride', outStride, Math.max(p.cout, 1), 'cout');
  const res = p.residual ?? 0;
  if (res !== 0) checkStride(name, 'residualStride', resStride, Math.max(p.cout, 1), 'cout');
  if (p.m > 0 && p.cout > 0 && stridedOverlap(p.output, p.m, p.cout, outStride, p.input, p.m, p.cin, inStride)) {
    throw new BufferError(`${name}: 'output' overlaps 'input'; a group's output would overwrite another group's input`);
  }
  const ng = p.cout / p.groups;
  const kg = p.cin / p.groups;
  for (let g = 0; g < p.groups; g++) {
    gemm(kern, {
      m: p.m, n: ng, k: kg,
      a: p.input + 4 * g * kg, aStride: inStride,
      w: p.packedPerGroup[g],
      c: p.output + 4 * g * ng, cStride: outStride,
      act: p.act,
      r: res !== 0 ? res + 4 * g * ng : 0, rStride: resStride,
      tile,
    });
  }
}
