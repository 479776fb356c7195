// kernels of this folder are re-exported here
export * from "./f32-pool-kxk-max";
export * from "./f32-pool-kxk-avg";
export * from "./f32-pool-global-avg";
