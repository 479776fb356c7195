// kernels of this folder are re-exported here
export { f32_vbinary_x8 } from "./f32-vbinary-x8";
export * from "./f32-vbinary-x8-scalar";
