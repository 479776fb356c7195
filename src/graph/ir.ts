import type { ActName } from '../kernels/act.js';

/**
 * The graph IR every model source becomes. Tensors are float32 NHWC ([N, H, W, C]; 2-D [N, C]
 * after Flatten / FullyConnected). Weights are constants in the layouts of docs/kernels.md.
 */

export type Pads = [top: number, left: number, bottom: number, right: number];

export interface ConvAttrs {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: Pads;
  groups: number;
  act: ActName;
}

/** Every op and its attributes. Input/output counts per op: OP_SCHEMA in src/format/schema.ts. */
export interface OpAttrs {
  /**
   * inputs: x, weight [cout][kh][kw][cin/groups], bias?, residual?; with a residual (fused by the
   * passes) output = act(conv(x) + bias + residual), and bias may be '' (none).
   */
  Conv2D: ConvAttrs;
  /** inputs: x, weight [kh][kw][c], bias? (channel multiplier 1) */
  DepthwiseConv2D: Omit<ConvAttrs, 'groups'>;
  /** inputs: x, weight [cout][kh][kw][cin], bias?; output size given explicitly */
  ConvTranspose2D: Omit<ConvAttrs, 'groups' | 'dilations'> & { outputSize: [number, number] };
  /** inputs: x, gamma, beta, mean, variance */
  BatchNorm: { epsilon: number };
  Activation: { act: ActName };
  /** inputs: a, b; b is a same-shape tensor or a per-channel vector [C]; y = act(a + b) */
  Add: { act: ActName };
  /** inputs: a, b; same rules as Add; SE gating is Mul(x, gate[1,1,1,C]) */
  Mul: { act: ActName };
  /** y = act(a - b); b broadcasts as in Add */
  Sub: { act: ActName };
  /** y = act(a / b); b broadcasts as in Add */
  Div: { act: ActName };
  /** y = act(max(a, b)); b broadcasts as in Add */
  Max: { act: ActName };
  /** y = act(min(a, b)); b broadcasts as in Add */
  Min: { act: ActName };
  /** y = act(a >= 0 ? a : a * b): PReLU with per-channel slopes b [C] (LeakyReLU: b filled with alpha) */
  Prelu: { act: ActName };
  /** inputs: 1..n tensors concatenated on channels */
  Concat: Record<string, never>;
  /** channels viewed as [groups][C/groups] are transposed to [C/groups][groups] */
  ChannelShuffle: { groups: number };
  /** channel split into consecutive slices; one output per size */
  Split: { sizes: number[] };
  MaxPool: { kernel: [number, number]; strides: [number, number]; pads: Pads };
  AvgPool: { kernel: [number, number]; strides: [number, number]; pads: Pads; countIncludePad: boolean };
  /** [N,H,W,C] -> [N,1,1,C] */
  GlobalAvgPool: Record<string, never>;
  /** [N,H,W,C] -> [N, H*W*C] */
  Flatten: Record<string, never>;
  /** same values, new shape (same element count): [N,C] <-> [N,1,1,C], squeeze / expand dims */
  Reshape: { shape: number[] };
  /** inputs: x [N,K] (or [N,1,1,K]), weight [n][k], bias?; -> [N, n] */
  FullyConnected: { act: ActName };
  /** over the last axis */
  Softmax: Record<string, never>;
  Resize: { size: [number, number]; mode: 'bilinear' | 'nearest'; coord: 'legacy' | 'align_corners' | 'half_pixel' };
  /** concat(act(x), act(-x)) on channels; CReLU proper is act = relu */
  CReLU: { act: ActName };
  /** zero padding of H and W */
  Pad: { pads: Pads };
  /**
   * [N,H,W,bh*bw*C] -> [N,H*bh,W*bw,C]: channel (by*bw + bx)*C + c of pixel (h, w) moves to pixel
   * (h*bh + by, w*bw + bx), channel c (TF DepthToSpace order). A transposed conv whose kernel equals
   * its stride is a 1x1 conv to bh*bw*C channels followed by this.
   */
  DepthToSpace: { block: [number, number] };
}

export type OpType = keyof OpAttrs;

/** Elementwise binary ops and the f32-vbinary op each runs as. */
export const BINARY_OPS = { Add: 'add', Sub: 'sub', Mul: 'mul', Max: 'max', Min: 'min', Div: 'div', Prelu: 'prelu' } as const;
export type BinaryOpType = keyof typeof BINARY_OPS;
export const isBinaryOp = (op: string): op is BinaryOpType => Object.prototype.hasOwnProperty.call(BINARY_OPS, op);

export interface Node<T extends OpType = OpType> {
  name: string;
  op: T;
  inputs: string[];
  outputs: string[];
  attrs: OpAttrs[T];
}

export interface TensorSpec {
  name: string;
  shape: number[];
}

export interface Constant {
  name: string;
  shape: number[];
  data: Float32Array;
  /**
   * Set by importers when the values arrived uint8-quantized (TF.js q * scale + min): lets a
   * writer store them exactly in one byte each. Passes that change values make new constants.
   */
  affine?: { scale: number; min: number };
}

export interface Graph {
  name: string;
  inputs: TensorSpec[];
  outputs: string[];
  nodes: Node[];
  constants: Map<string, Constant>;
  /**
   * 'NCHW' when the source model's 4-D inputs / outputs were NCHW (ONNX): the IR still holds them
   * NHWC, and sessions transpose at the boundary by default (SessionOptions.layout). Absent: NHWC.
   */
  layout?: 'NCHW';
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An NHWC shape as NCHW (other ranks unchanged): what ONNX-layout users see. */
export const toNchw = (s: readonly number[]): number[] => (s.length === 4 ? [s[0], s[3], s[1], s[2]] : [...s]);
