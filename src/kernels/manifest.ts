import { SepconvError } from '../errors.js';
import type { KernelInfo } from './types.js';
import { kernels as conv } from './conv.js';
import { kernels as copy } from './copy.js';
import { kernels as deconv } from './deconv.js';
import { kernels as dwconv } from './dwconv.js';
import { kernels as gemm } from './gemm.js';
import { kernels as gemv } from './gemv.js';
import { kernels as peak } from './peak.js';
import { kernels as pool } from './pool.js';
import { kernels as resize } from './resize.js';
import { kernels as softmax } from './softmax.js';
import { kernels as vbinary } from './vbinary.js';
import { kernels as vunary } from './vunary.js';

/**
 * The kernel manifest: every kernel in assembly/, by name. Dispatch, tests and benches all
 * read this list; adding a kernel is one entry here (via its family module) plus its code.
 */
export const KERNELS: readonly KernelInfo[] = [
  ...gemm,
  ...gemv,
  ...dwconv,
  ...conv,
  ...deconv,
  ...pool,
  ...vbinary,
  ...vunary,
  ...copy,
  ...resize,
  ...softmax,
  ...peak,
];

const byName = new Map(KERNELS.map((k) => [k.name, k]));

export function kernelInfo(name: string): KernelInfo {
  const k = byName.get(name);
  if (!k) throw new SepconvError(`no kernel named '${name}' in the manifest; known: ${[...byName.keys()].join(', ')}`);
  return k;
}

export function kernelsForOp(op: string): KernelInfo[] {
  return KERNELS.filter((k) => k.op === op);
}
