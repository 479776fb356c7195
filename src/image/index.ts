/** Image I/O (Node, sharp) and TF.js-exact preprocessing (anywhere). */
export { readImage, writePng } from './io.js';
export { preprocess, resizePlane } from './preprocess.js';
export type { RgbImage, PreprocessSpec } from './preprocess.js';
