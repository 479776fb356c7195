// kernels of this folder are re-exported here
export * from "./f32-dwconv-3x3-x4";
export * from "./f32-dwconv-3x3s2-x4";
export * from "./f32-dwconv-5x5-x4";
export * from "./f32-dwconv-5x5s2-x4";
export * from "./f32-dwconv-kxk-x4";
