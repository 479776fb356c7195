// kernels of this folder are re-exported here
export * from "./f32-resize-bilinear-x4";
export * from "./f32-resize-nearest-x4";
