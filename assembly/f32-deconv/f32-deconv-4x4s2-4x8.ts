import { deconvCore } from "./deconv-core";

/**
 * f32-deconv-4x4s2-4x8: 4x4 stride 2 transposed convolution (the x2 upsampling of
 * segmentation decoders, usually pad 1: every interior output pixel receives 2x2 taps),
 * any top/left padding in [0, 3]. Kernel size and stride are compile-time constants of the
 * shared gather walk. Same packed weights as f32-deconv-kxk-4x8.
 */
export function f32_deconv_4x4s2_4x8(
  inH: i32, inW: i32, cin: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, padTop: i32, padLeft: i32, act: i32,
): void {
  deconvCore(inH, inW, cin, x, xStride, outH, outW, cout, y, yStride, w, 4, 4, 2, 2, padTop, padLeft, act);
}
