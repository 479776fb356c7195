// kernels of this folder are re-exported here
export * from "./f32-softmax-x8";
