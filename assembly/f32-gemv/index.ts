export * from "./f32-gemv-1x16";
