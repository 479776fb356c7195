/** Validating wrappers, packing functions and dispatch helpers of every kernel family. */
export { vunary, type VunaryArgs } from './vunary.js';
export { peak, peakFlops } from './peak.js';
