import { deconvCore } from "./deconv-core";

/**
 * f32-deconv-kxk-4x8: transposed convolution (TF Conv2DBackpropInput / ONNX ConvTranspose),
 * NHWC, any kh/kw, stride, top/left padding (bottom/right and output padding implied by
 * outH/outW), gathered per output pixel with fused bias + activation. Tiles of 4 same-phase
 * output pixels x 8 output channels. Weights packed by packDeconvWeights: blocks of 8 output
 * channels, bias[8] then [ky][kx][ci][8]. Strides in floats.
 */
export function f32_deconv_kxk_4x8(
  inH: i32, inW: i32, cin: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, act: i32,
): void {
  deconvCore(inH, inW, cin, x, xStride, outH, outW, cout, y, yStride, w, kh, kw, strideH, strideW,
    padTop, padLeft, act);
}
