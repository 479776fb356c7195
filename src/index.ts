/**
 * sepconv: WebAssembly SIMD inference for mobile CNNs.
 *
 * This entry exposes the kernel library (issue 3); the graph runtime and Session API build on it.
 */
export { SepconvError, ShapeError, BufferError, FormatError, UnsupportedOpError, WasmSupportError } from './errors.js';
export { loadKernels, detectFeatures, Kernels, MIN_RUNTIMES } from './kernels/loader.js';
export type { WasmVariant, WasmFeatures, LoadKernelsOptions } from './kernels/loader.js';
export { Arena, SPARE_BYTES, ARENA_BASE } from './kernels/memory.js';
export { Act, ACT_NAMES } from './kernels/act.js';
export type { ActName, ActCode } from './kernels/act.js';
export { KERNELS, kernelInfo, kernelsForOp } from './kernels/manifest.js';
export type { KernelInfo } from './kernels/types.js';
export * as ops from './kernels/ops.js';
export * as reference from './reference/index.js';
