import { convCore } from "./conv-core";

/**
 * f32-conv-3x3s2-c3: the MobileNet stem, 3x3 stride 2 dilation 1 over a contiguous 3-channel
 * input (pixel stride 3, e.g. the RGB image: no x stride argument), groups 1, any top/left
 * padding (TF SAME: 0, PyTorch/ONNX: 1; bottom/right implied by outH/outW). Tiles of 4 output pixels x 8 output channels; a kernel row is 9 consecutive floats.
 * Same packed weights as f32-conv-kxk-4x8 (packConvWeights with cin 3, groups 1).
 */
export function f32_conv_3x3s2_c3(
  inH: i32, inW: i32, x: usize,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, padTop: i32, padLeft: i32, act: i32,
): void {
  convCore(inH, inW, 3, x, 3, outH, outW, cout, y, yStride, w, 3, 3, 2, 2, 1, 1,
    padTop, padLeft, 1, act, true);
}
