export * from "./f32-vunary-x8";
