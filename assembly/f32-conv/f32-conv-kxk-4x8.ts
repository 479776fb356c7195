import { convCore } from "./conv-core";

/**
 * f32-conv-kxk-4x8: general grouped direct convolution, NHWC, any kh/kw, stride, dilation,
 * top/left padding (bottom/right implied by outH/outW; out-of-range input reads as zero),
 * groups dividing cin and cout. Tiles of 4 output pixels x 8 output channels of a group.
 * Weights packed by packConvWeights (src/kernels/conv.ts): per group, blocks of 8 output
 * channels: bias[8] then [ky][kx][ci][8]. y = act(conv + bias). Strides in floats.
 */
export function f32_conv_kxk_4x8(
  inH: i32, inW: i32, cin: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, kh: i32, kw: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32,
  padTop: i32, padLeft: i32, groups: i32, act: i32,
): void {
  convCore(inH, inW, cin, x, xStride, outH, outW, cout, y, yStride, w, kh, kw, strideH, strideW,
    dilH, dilW, padTop, padLeft, groups, act, false);
}
