/** Plain TypeScript references of every kernel (scalar loops, unpacked weights). */
export { refAct } from './act.js';
export { refVunary } from './vunary.js';
export { refPeak } from './peak.js';
