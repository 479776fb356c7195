// kernels of this folder are re-exported here
export * from "./f32-conv-3x3s2-c3";
export * from "./f32-conv-kxk-4x8";
