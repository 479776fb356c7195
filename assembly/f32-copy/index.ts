// kernels of this folder are re-exported here
export * from "./f32-copy-2d-x8";
export * from "./f32-copy-shuffle-x4";
export * from "./f32-copy-crelu-x4";
