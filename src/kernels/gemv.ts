import { BufferError } from '../errors.js';
import type { ActCode } from './act.js';
import { packGemmWeights, packedGemmSize, stridedOverlap } from './gemm.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt } from './validate.js';

/**
 * f32 GEMV = fully connected layer for batch 1: y[j] = act(sum_p x[p] * W[j][p] + bias[j]).
 * Memory-bound at classifier-head sizes (k = 1280, n = 1000 is 5 MB of weights): the kernel
 * streams the packed weights once, front to back.
 */
export const GEMV_NR = 16;

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'gemv',
    tile: '1x16',
    summary:
      'fully connected, batch 1: y = act(W.x + bias), 16 output channels per panel, weights from packGemvWeights streamed once; any n, k',
    reference: 'src/reference/gemv.ts#refGemv',
  }),
];

/** Floats of packed GEMV weights (n outputs, k inputs). */
export function packedGemvSize(n: number, k: number): number {
  return packedGemmSize(n, k, GEMV_NR);
}

/** Packs [n][k] weights and optional bias[n] for f32-gemv-1x16 (the f32-gemm panel layout, nr = 16). */
export function packGemvWeights(weights: ArrayLike<number>, bias: ArrayLike<number> | null, n: number, k: number): Float32Array {
  return packGemmWeights(weights, bias, n, k, GEMV_NR);
}

export interface GemvArgs {
  /** Outputs. */
  n: number;
  /** Inputs. */
  k: number;
  /** Input vector pointer (k floats). */
  x: number;
  /** Packed weights (packGemvWeights). */
  w: number;
  /** Output vector pointer (n floats). */
  y: number;
  act: ActCode;
}

/** Validates and runs one fully connected layer. Throws ShapeError / BufferError before any wasm call. */
export function gemv(kern: Kernels, args: GemvArgs): void {
  const name = 'f32-gemv-1x16';
  const { n, k, x, w, y, act } = args;
  checkInt(name, 'n', n, 0);
  checkInt(name, 'k', k, 0);
  checkAct(name, act);
  if (n === 0) return;
  const wFloats = packedGemvSize(n, k);
  checkBuffer(kern, name, 'x', x, k);
  checkBuffer(kern, name, 'w', w, wFloats);
  checkBuffer(kern, name, 'y', y, n);
  if (stridedOverlap(y, 1, n, n, x, 1, k, k)) throw new BufferError(`${name}: output 'y' overlaps input 'x'`);
  if (stridedOverlap(y, 1, n, n, w, 1, wFloats, wFloats)) throw new BufferError(`${name}: output 'y' overlaps the packed weights 'w'`);
  kern.fn(name)(n, k, x, w, y, act);
}
