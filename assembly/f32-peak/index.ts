export * from "./f32-peak-12x4";
