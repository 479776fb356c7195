/**
 * sepconv: WebAssembly SIMD inference for mobile CNNs.
 *
 * Session (load, run, release) over the graph runtime, the .sepconv format, the model zoo, and
 * the kernel library underneath.
 */
export { SepconvError, ShapeError, BufferError, FormatError, UnsupportedOpError, WasmSupportError, ImageError } from './errors.js';
export { loadKernels, detectFeatures, Kernels, MIN_RUNTIMES } from './kernels/loader.js';
export type { WasmVariant, WasmFeatures, LoadKernelsOptions } from './kernels/loader.js';
export { Arena, SPARE_BYTES, ARENA_BASE } from './kernels/memory.js';
export { Act, ACT_NAMES } from './kernels/act.js';
export type { ActName, ActCode } from './kernels/act.js';
export { KERNELS, kernelInfo, kernelsForOp } from './kernels/manifest.js';
export type { KernelInfo } from './kernels/types.js';
export * as ops from './kernels/ops.js';
export { Session, pruneGraph, interpret, loadGraph } from './runtime/index.js';
export type { SessionOptions, Tensor, ModelSource, TfjsModelSource } from './runtime/index.js';
export type { SessionProfile, NodeProfile } from './runtime/session.js';
export { planFloat16, type Float16Plan } from './runtime/precision.js';
export { readSepconv, writeSepconv } from './format/index.js';
export type { WriteOptions } from './format/index.js';
export { importTfjsModel, importTfjsGraphModel, importTfjsLayersModel, loadTfjsModel, TFJS_GRAPH_OPS } from './importers/tfjs/index.js';
export type { ImportOptions, TfjsModelJson, TfjsLayersModelJson } from './importers/tfjs/index.js';
export { optimizeGraph } from './graph/passes/index.js';
export type { Graph, Node, OpType, OpAttrs, Constant, TensorSpec } from './graph/ir.js';
export { inferShapes } from './graph/shapes.js';
export { graphStats } from './graph/stats.js';
export { ZOO, buildZooModel } from './zoo/index.js';
export * as reference from './reference/index.js';
export { readImage, writePng, preprocess, resizePlane } from './image/index.js';
export type { RgbImage, PreprocessSpec } from './image/index.js';
