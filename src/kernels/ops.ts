/**
 * Validating wrappers, weight packing and dispatch helpers of every kernel family. Each wrapper
 * checks its arguments, then makes one wasm call; see docs/kernels.md for the ABI.
 */
export { vunary, type VunaryArgs } from './vunary.js';
export { peak, peakFlops } from './peak.js';
export {
  GEMM_TILES, DEFAULT_GEMM_TILE, type GemmTile, gemmTileShape, selectGemmTile, packedGemmSize, packGemmWeights,
  packGroupedPointwise, gemm, type GemmArgs, pointwiseConv, type PointwiseConvArgs,
} from './gemm.js';
export { GEMV_NR, packedGemvSize, packGemvWeights, gemv, type GemvArgs } from './gemv.js';
export { selectDwconvKernel, packedDwconvSize, packDwconvWeights, dwconv, type DwconvArgs } from './dwconv.js';
export { packedConvFloats, packConvWeights, selectConvKernel, conv, type ConvArgs } from './conv.js';
export { packedDeconvFloats, packDeconvWeights, selectDeconvKernel, deconv, type DeconvArgs } from './deconv.js';
export { maxPool, avgPool, globalAvgPool, type PoolArgs, type AvgPoolArgs, type GlobalAvgPoolArgs } from './pool.js';
export {
  BinaryOp, BINARY_OP_NAMES, type BinaryOpName, type BinaryOpCode, vbinary, type VbinaryArgs, vbinaryScalar,
  type VbinaryScalarArgs, seGate, type SeGateArgs,
} from './vbinary.js';
export {
  copy2d, type Copy2dArgs, concatChannels, type ConcatChannelsArgs, splitChannels, type SplitChannelsArgs,
  channelShuffle, type ChannelShuffleArgs, crelu, type CreluArgs,
} from './copy.js';
export { resizeBilinear, resizeNearest, type ResizeMode, type NearestRounding, type ResizeArgs, type ResizeNearestArgs } from './resize.js';
export { softmax, type SoftmaxArgs } from './softmax.js';
