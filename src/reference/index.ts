/** Plain TypeScript references of every kernel (scalar loops, unpacked weights). */
export { refAct } from './act.js';
export { refVunary } from './vunary.js';
export { refPeak } from './peak.js';
export { refGemm, refGroupedPointwise } from './gemm.js';
export { refGemv } from './gemv.js';
export { refDwconv } from './dwconv.js';
export { refConv } from './conv.js';
export { refDeconv } from './deconv.js';
export { refMaxPool, refAvgPool, refGlobalAvgPool } from './pool.js';
export { refBinop, refVbinary, refVbinaryScalar, refSeGate } from './vbinary.js';
export { refCopy2d, refChannelShuffle, refCrelu } from './copy.js';
export { refResizeBilinear, refResizeNearest } from './resize.js';
export { refSoftmax } from './softmax.js';
