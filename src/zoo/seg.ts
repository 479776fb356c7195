import type { Graph } from '../graph/ir.js';
import { GraphBuilder } from './builder.js';
import { checkKnown, checkOneOf, checkRange, commonOptions, COMMON_OPTION_SPECS, makeDivisible, type OptionSpec, type ZooOptions } from './common.js';
import { mobilenetV1Body, mobilenetV2Body } from './mobilenet.js';

/**
 * mobilenet_seg: a U-Net-style MobileNet segmentation network.
 *
 *   input [N,H,W,3]
 *     encoder: MobileNetV2 blocks 0..16 (no 1x1 Conv_1 / classifier) or MobileNetV1 conv1..conv_pw_13,
 *              keeping the feature maps at output strides 2, 4, 8, 16 (skips) and 32 (bottom)
 *     decoder, 5 blocks i = 1..5 (stride 32 -> 16 -> 8 -> 4 -> 2 -> 1):
 *       up_i   = ConvTranspose2D k x k (default 2x2) stride 2 -> D_i channels, + BN + ReLU;
 *                output size = the skip's spatial size exactly (odd sizes are reached by cropping one
 *                more row/column at the bottom/right: pads = ((in-1)*2 + k - out) split floor/ceil)
 *       cat_i  = Concat(up_i, skip_i)  — skip_5 is the input image itself (3 channels, nearly free)
 *       dw_i   = 3x3 depthwise + BN + ReLU on cat_i
 *       pw_i   = 1x1 conv -> D_i / 2 channels + BN, then CReLU (concat(x, -x), ReLU) -> D_i channels:
 *                CReLU channel compensation (PVANet): the pointwise conv computes only half of the
 *                output channels, halving its parameters and MACs; the negated copy supplies the rest.
 *     head: 1x1 conv (bias) D_5 -> classes = per-pixel logits at input resolution; optional softmax
 *           (over classes) or sigmoid.
 *   D = make_divisible([96, 32, 24, 16, 16] * width, 8) for the v2 encoder,
 *       make_divisible([256, 128, 64, 32, 16] * width, 8) for v1.
 */
export interface MobileNetSegOptions extends ZooOptions {
  backbone?: 'v1' | 'v2';
  /** Output activation: 'none' (logits), 'softmax' or 'sigmoid'. Default 'none'. */
  outputAct?: 'none' | 'softmax' | 'sigmoid';
  /** Transposed-conv kernel size: 2, 3 or 4 (stride always 2). Default 2. */
  upKernel?: number;
}

export function mobilenetSeg(opts: MobileNetSegOptions = {}): Graph {
  const M = 'mobilenet_seg';
  checkKnown(M, opts, ['width', 'resolution', 'classes', 'seed', 'batch', 'backbone', 'outputAct', 'upKernel']);
  const backbone = checkOneOf(M, 'backbone', opts.backbone ?? 'v2', ['v1', 'v2'] as const);
  const alpha = backbone === 'v2' ? checkRange(M, 'width', opts.width ?? 1, 0.35, 1.4) : checkRange(M, 'width', opts.width ?? 1, 0.25, 1.0);
  const outputAct = checkOneOf(M, 'outputAct', opts.outputAct ?? 'none', ['none', 'softmax', 'sigmoid'] as const);
  const upKernel = checkOneOf(M, 'upKernel', opts.upKernel ?? 2, [2, 3, 4]);
  const { resolution, seed, batch } = commonOptions(M, opts, { min: 64, max: 512, def: 224 });
  const classes = checkRange(M, 'classes', opts.classes ?? 2, 1, 1000, true);
  const b = new GraphBuilder(`${M}_${backbone}_${alpha}_${resolution}`, seed);
  const input = b.input('input', [batch, resolution, resolution, 3]);
  const enc = backbone === 'v2' ? mobilenetV2Body(b, input, alpha) : mobilenetV1Body(b, input, alpha);
  const base = backbone === 'v2' ? [96, 32, 24, 16, 16] : [256, 128, 64, 32, 16];
  const skips = [enc.features.get(16)!, enc.features.get(8)!, enc.features.get(4)!, enc.features.get(2)!, input];
  let x = enc.out;
  base.forEach((c, i) => {
    const p = `decoder_${i + 1}`;
    const D = makeDivisible(c * alpha, 8);
    const skip = skips[i];
    const [, h, w] = b.shape(skip);
    let y = b.deconv(x, `${p}/up`, { cout: D, k: upKernel, s: 2, outputSize: [h, w], gain: Math.SQRT2 });
    y = b.bn(y, `${p}/up/bn`);
    y = b.act(y, `${p}/up/relu`, 'relu');
    y = b.concat([y, skip], `${p}/concat`);
    y = b.dwBn(y, `${p}/dw`, { k: 3, act: 'relu' });
    y = b.convBn(y, `${p}/pw`, { cout: D / 2, gain: 1 });
    x = b.crelu(y, `${p}/crelu`, 'relu');
  });
  let y = b.conv(x, 'logits', { cout: classes, bias: true });
  if (outputAct === 'softmax') y = b.softmax(y, 'softmax');
  else if (outputAct === 'sigmoid') y = b.act(y, 'sigmoid', 'sigmoid');
  return b.build([y]);
}

export const MOBILENET_SEG_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'number', default: 1, min: 0.25, max: 1.4, description: 'encoder/decoder width (v2: 0.35-1.4, v1: 0.25-1.0)' },
  resolution: { type: 'integer', default: 224, min: 64, max: 512, description: 'input size; output has the same size' },
  backbone: { type: 'enum', default: 'v2', values: ['v1', 'v2'], description: 'encoder' },
  outputAct: { type: 'enum', default: 'none', values: ['none', 'softmax', 'sigmoid'], description: 'output activation' },
  upKernel: { type: 'enum', default: 2, values: [2, 3, 4], description: 'transposed conv kernel size' },
  ...COMMON_OPTION_SPECS,
  classes: { type: 'integer', default: 2, min: 1, max: 1000, description: 'per-pixel classes' },
};
