// The single kernel entry: one `export *` per dtype-op folder. Both wasm artifacts
// (`simd`, `relaxed`) are compiled from this file; see asconfig.json.
export * from "./f32-gemm/index";
export * from "./f32-gemv/index";
export * from "./f32-dwconv/index";
export * from "./f32-conv/index";
export * from "./f32-deconv/index";
export * from "./f32-pool/index";
export * from "./f32-vbinary/index";
export * from "./f32-vunary/index";
export * from "./f32-copy/index";
export * from "./f32-resize/index";
export * from "./f32-softmax/index";
export * from "./f32-peak/index";
