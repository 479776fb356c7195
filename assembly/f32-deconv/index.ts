// kernels of this folder are re-exported here
export * from "./f32-deconv-2x2s2-4x8";
export * from "./f32-deconv-4x4s2-4x8";
export * from "./f32-deconv-kxk-4x8";
