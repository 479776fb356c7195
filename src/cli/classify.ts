import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { SepconvError, ShapeError } from '../errors.js';
import { refSoftmax } from '../reference/softmax.js';
import type { Graph } from '../graph/ir.js';
import { preprocess, readImage, type PreprocessSpec, type RgbImage } from '../image/index.js';
import { loadGraph } from '../runtime/source.js';
import { Session } from '../runtime/session.js';

// ---------------------------------------------------------------------------------------------
// --preprocess "scale=1/255,offset=0,resize=224x224,align_corners,mean=...,std=...,bgr"
// ---------------------------------------------------------------------------------------------

/** A parsed --preprocess string. `size` is unset when the spec has no resize= (the model's input size is used). */
export interface ImagePreprocess {
  size?: [number, number];
  coord: PreprocessSpec['coord'];
  scale: number;
  offset: number;
  /** Per-channel (R, G, B) values subtracted after scale / offset; one value = every channel. */
  mean?: number[];
  /** Per-channel divisors applied after the mean. */
  std?: number[];
  /** Feed channels as B, G, R (Caffe-style models). */
  bgr: boolean;
}

export const PREPROCESS_HELP = `--preprocess: comma-separated items, applied in this order:
  resize=<H>x<W>             bilinear resize of the 0..255 RGB values (tf.image.resizeBilinear);
                             default: the model's input size
  legacy | align_corners | half_pixel
                             the resize coordinate mode (TF.js alignCorners / halfPixelCenters);
                             default legacy (the TF.js default)
  scale=<x>, offset=<x>      value = rgb * scale + offset; a number or a fraction a/b;
                             default scale=1/255, offset=0
  mean=<r>:<g>:<b>, std=<r>:<g>:<b>
                             then (value - mean) / std per channel (one number = every channel),
                             e.g. torchvision: scale=1/255,mean=0.485:0.456:0.406,std=0.229:0.224:0.225
  bgr                        feed the channels as B, G, R`;

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number or a fraction a/b (finite). */
function parseNumber(text: string): number | undefined {
  const parts = text.trim().split('/');
  if (parts.length > 2 || !parts.every((p) => NUM.test(p.trim()))) return undefined;
  const v = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(parts[0]);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Parses a --preprocess string (see PREPROCESS_HELP). Every bad item is a SepconvError with code
 * E_USAGE naming the item and what was expected.
 */
export function parsePreprocess(text: string | undefined, flag = '--preprocess'): ImagePreprocess {
  const p: ImagePreprocess = { coord: 'legacy', scale: 1 / 255, offset: 0, bgr: false };
  if (text === undefined) return p;
  const usage = (item: string, why: string) => new SepconvError(`${flag} '${text}': ${item ? `'${item}' ` : ''}${why} (see --help)`, 'E_USAGE');
  let coordSet: string | undefined;
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
    if (seen.has(key)) throw usage(item, `sets '${key}' twice`);
    if (key === 'legacy' || key === 'align_corners' || key === 'half_pixel') {
      if (value !== undefined) throw usage(item, 'takes no value');
      if (coordSet) throw usage(item, `conflicts with '${coordSet}': give one of legacy, align_corners, half_pixel`);
      coordSet = key;
      p.coord = key;
      continue;
    }
    seen.add(key);
    if (key === 'bgr') {
      if (value !== undefined) throw usage(item, 'takes no value');
      p.bgr = true;
    } else if (key === 'scale' || key === 'offset') {
      const v = value === undefined ? undefined : parseNumber(value);
      if (v === undefined) throw usage(item, `needs a number or a fraction, e.g. ${key}=${key === 'scale' ? '1/255' : '-1'}`);
      p[key] = v;
    } else if (key === 'resize') {
      const m = value?.match(/^(\d+)\s*(?:[x,]\s*(\d+))?$/i);
      const h = m ? Number(m[1]) : NaN;
      const w = m ? Number(m[2] ?? m[1]) : NaN;
      if (!(h > 0 && w > 0 && h <= 16384 && w <= 16384)) throw usage(item, 'needs a size <height>x<width> (positive integers), e.g. resize=224x224');
      p.size = [h, w];
    } else if (key === 'mean' || key === 'std') {
      const vs = value === undefined ? [] : value.split(':').map(parseNumber);
      if (!(vs.length === 1 || vs.length === 3) || vs.some((v) => v === undefined)) {
        throw usage(item, `needs one number or three separated by ':', e.g. ${key}=${key === 'mean' ? '0.485:0.456:0.406' : '0.229:0.224:0.225'}`);
      }
      if (key === 'std' && vs.some((v) => v === 0)) throw usage(item, 'has a zero divisor');
      p[key] = vs as number[];
    } else {
      throw usage(item, 'is not a preprocessing item; expected scale=, offset=, resize=HxW, mean=, std=, legacy, align_corners, half_pixel or bgr');
    }
  }
  return p;
}

/** The spec as a short string, for summaries ("resize 224x224 align_corners, * 0.00392157 + 0"). */
export function describePreprocess(p: ImagePreprocess, size: [number, number]): string {
  const n = (v: number) => String(Number(v.toPrecision(6)));
  let s = `resize ${size[0]}x${size[1]} ${p.coord}, x * ${n(p.scale)} + ${n(p.offset)}`;
  if (p.mean) s += `, - mean ${p.mean.map(n).join(':')}`;
  if (p.std) s += `, / std ${p.std.map(n).join(':')}`;
  if (p.bgr) s += ', BGR';
  return s;
}

/** NHWC [1, size[0], size[1], 3] float32 input from an image. */
export function imageInput(img: RgbImage, p: ImagePreprocess, size: [number, number]): Float32Array {
  const x = preprocess(img, { size: p.size ?? size, coord: p.coord, scale: p.scale, offset: p.offset });
  if (p.mean || p.std || p.bgr) {
    const m = p.mean ? (p.mean.length === 1 ? [p.mean[0], p.mean[0], p.mean[0]] : p.mean) : [0, 0, 0];
    const s = p.std ? (p.std.length === 1 ? [p.std[0], p.std[0], p.std[0]] : p.std) : [1, 1, 1];
    for (let i = 0; i < x.length; i += 3) {
      const r = (x[i] - m[0]) / s[0];
      const g = (x[i + 1] - m[1]) / s[1];
      const b = (x[i + 2] - m[2]) / s[2];
      x[i] = p.bgr ? b : r;
      x[i + 1] = g;
      x[i + 2] = p.bgr ? r : b;
    }
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// model loading shared by classify and run
// ---------------------------------------------------------------------------------------------

const fmtDims = (s: readonly number[]) => `[${s.join(',')}]`;

/**
 * loadGraph with CLI-friendly handling of inputs of unknown size: `fill(name, dims)` may supply
 * a shape for an input the importer cannot size (dims with -1, in the model's own layout);
 * otherwise the error tells which --flag gives it.
 */
export async function loadCliGraph(
  model: string,
  options: { outputs?: string[]; inputShapes?: Record<string, number[]>; fill?: (name: string, dims: number[]) => number[] | undefined; hint: string },
): Promise<Graph> {
  const inputShapes = { ...options.inputShapes };
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadGraph(model, { outputs: options.outputs, inputShapes });
    } catch (e) {
      const m = e instanceof ShapeError ? e.message.match(/input '(.+)' has unknown dimensions \[([-\d,]+)\]/) : null;
      if (!m || attempt > 16) throw e;
      const [, name, dimText] = m;
      const dims = dimText.split(',').map(Number);
      const shape = inputShapes[name] ? undefined : options.fill?.(name, dims);
      if (!shape) {
        const example = dims.map((d, i) => (d >= 0 ? d : i === 0 ? 1 : 224)).join('x');
        throw new SepconvError(`${model}: input '${name}' has unknown dimensions ${fmtDims(dims)}; ${options.hint.replace('{name}', name).replace('{example}', example)}`, 'E_USAGE');
      }
      inputShapes[name] = shape;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// sepconv classify
// ---------------------------------------------------------------------------------------------

interface ClassifyOpts {
  model: string;
  labels?: string;
  top: string;
  preprocess?: string;
  output?: string;
  softmax: boolean;
  json?: boolean;
}

/** Labels, one per line (trailing blank lines and '\r' ignored). */
async function readLabels(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SepconvError(`cannot read labels '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`, 'E_LABELS');
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** True when `p` already is a probability vector: every value in [0, 1] and the sum within 1e-3 of 1. */
export function isProbabilityVector(p: Float32Array): boolean {
  let sum = 0;
  for (const v of p) {
    if (!(v >= -1e-6 && v <= 1 + 1e-6)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) <= 1e-3;
}

/** softmax over the whole vector (the reference kernel: float64 sums). */
export function softmax(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  refSoftmax(1, x.length, x, x.length, y, x.length);
  return y;
}

/** `sepconv classify <image...> --model m`: top-k classes per image. */
export function classifyCommand(): Command {
  return new Command('classify')
    .description('classify images with an image classifier (one [1,H,W,3] image input, one [1,K] output): top-k classes with probabilities')
    .argument('<image...>', 'PNG, JPEG or WebP images')
    .requiredOption('-m, --model <file>', 'the classifier: .sepconv, TF.js model.json / UMD model.min.js, or .onnx')
    .option('-l, --labels <file>', 'class names, one per line (default: class indices)')
    .option('-k, --top <k>', 'how many classes to print per image', '5')
    .option('-p, --preprocess <spec>', 'how images become the model input (below); default "scale=1/255,legacy", resized to the model\'s input size')
    .option('--output <name>', 'the output tensor holding the scores (default: the model\'s only output)')
    .option('--no-softmax', 'print the output values as they are, even when they are not probabilities')
    .option('--json', 'print { model, input, output, softmax, preprocess, results: [{ image, top: [{ index, label, probability }] }] } as JSON')
    .addHelpText(
      'after',
      `
The output is used as it is when it is a probability vector (values in [0, 1] summing to 1);
otherwise (logits) softmax is applied and the summary says so.

${PREPROCESS_HELP}

Examples:
  $ sepconv classify cat.png --model nsfwjs/mobilenet_v2/model.min.js --labels labels.txt \\
      --preprocess "scale=1/255,resize=224x224,align_corners"
  $ sepconv classify *.jpg --model mobilenetv2.onnx --labels imagenet.txt --top 3 \\
      --preprocess "scale=1/255,mean=0.485:0.456:0.406,std=0.229:0.224:0.225,half_pixel"
  $ sepconv classify photo.webp --model model.sepconv --preprocess "scale=1/127.5,offset=-1" --json`,
    )
    .action(async (images: string[], opts: ClassifyOpts) => {
      const top = Number(opts.top);
      if (!Number.isInteger(top) || top < 1) throw new SepconvError(`--top must be a positive integer, got '${opts.top}'`, 'E_USAGE');
      const pre = parsePreprocess(opts.preprocess);
      const labels = opts.labels ? await readLabels(opts.labels) : undefined;
      const isOnnx = /\.onnx$/i.test(opts.model);
      // inputs of unknown size (TF.js [-1,-1,-1,3]) take the resize= size
      const fill = (_name: string, dims: number[]) => {
        if (!pre.size || dims.length !== 4) return undefined;
        const [h, w] = pre.size;
        return isOnnx ? [1, dims[1] < 0 ? 3 : dims[1], h, w] : [1, h, w, dims[3] < 0 ? 3 : dims[3]];
      };
      const graph = await loadCliGraph(opts.model, { outputs: opts.output ? [opts.output] : undefined, fill, hint: 'give the image size with --preprocess "resize=<H>x<W>"' });
      // NHWC I/O whatever the model's own layout (ONNX models are NCHW): images are NHWC
      const session = await Session.create(graph, { outputs: opts.output ? [opts.output] : undefined, layout: 'nhwc' });
      try {
        if (session.inputNames.length !== 1) {
          throw new ShapeError(`${opts.model} has ${session.inputNames.length} inputs (${session.inputNames.map((n) => `'${n}' ${fmtDims(session.inputs[n])}`).join(', ')}); classify needs a model with one image input (use 'sepconv run' for others)`);
        }
        const inputName = session.inputNames[0];
        const inShape = session.inputs[inputName];
        if (inShape.length !== 4 || inShape[0] !== 1 || inShape[3] !== 3) {
          throw new ShapeError(`${opts.model}: input '${inputName}' has shape ${fmtDims(inShape)}${isOnnx || session.layout === 'nchw' ? ' (NHWC)' : ''}; classify needs a [1,H,W,3] RGB image input`);
        }
        const size: [number, number] = [inShape[1], inShape[2]];
        if (pre.size && (pre.size[0] !== size[0] || pre.size[1] !== size[1])) {
          throw new ShapeError(`--preprocess resize=${pre.size[0]}x${pre.size[1]} does not match the model's input '${inputName}' ${fmtDims(inShape)} (${size[0]}x${size[1]})`);
        }
        if (!opts.output && session.outputNames.length !== 1) {
          throw new SepconvError(`${opts.model} has ${session.outputNames.length} outputs (${session.outputNames.map((n) => `'${n}' ${fmtDims(session.outputs[n])}`).join(', ')}); choose the class scores with --output <name>`, 'E_USAGE');
        }
        const outputName = opts.output ?? session.outputNames[0];
        const outShape = session.outputs[outputName];
        const K = outShape[outShape.length - 1];
        if (outShape.slice(0, -1).some((d) => d !== 1) || K < 1) {
          throw new ShapeError(`${opts.model}: output '${outputName}' has shape ${fmtDims(outShape)}; classify needs class scores of shape [1,K] (or [1,1,1,K])`);
        }
        if (labels && labels.length !== K) {
          throw new SepconvError(`${opts.labels} has ${labels.length} labels but output '${outputName}' has ${K} classes`, 'E_LABELS');
        }
        const k = Math.min(top, K);
        const results: { image: string; width: number; height: number; top: { index: number; label: string; probability: number }[] }[] = [];
        let softmaxApplied = false;
        for (const path of images) {
          const img = await readImage(path);
          const x = imageInput(img, pre, size);
          const out = await session.run({ [inputName]: { data: x, shape: inShape } });
          let scores = out[outputName].data;
          if (opts.softmax && !isProbabilityVector(scores)) {
            scores = softmax(scores);
            softmaxApplied = true;
          }
          const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
          results.push({ image: path, width: img.width, height: img.height, top: order.slice(0, k).map((i) => ({ index: i, label: labels ? labels[i] : String(i), probability: scores[i] })) });
        }
        const summary = {
          model: opts.model,
          input: { name: inputName, shape: inShape },
          output: { name: outputName, shape: outShape },
          softmax: softmaxApplied,
          ...(!opts.softmax && { raw: true }),
          preprocess: { size, coord: pre.coord, scale: pre.scale, offset: pre.offset, ...(pre.mean && { mean: pre.mean }), ...(pre.std && { std: pre.std }), bgr: pre.bgr },
        };
        if (opts.json) {
          console.log(JSON.stringify({ ...summary, results }, null, 2));
          return;
        }
        const what = softmaxApplied ? 'not probabilities: softmax applied' : opts.softmax ? 'probabilities' : 'raw values, --no-softmax';
        console.log(`model ${opts.model}: input '${inputName}' ${fmtDims(inShape)}, output '${outputName}' ${fmtDims(outShape)} (${what})`);
        console.log(`preprocess ${describePreprocess(pre, size)}`);
        const width = Math.max(...results.flatMap((r) => r.top.map((t) => t.label.length)));
        for (const r of results) {
          console.log(`\n${r.image} (${r.width}x${r.height})`);
          r.top.forEach((t, i) => console.log(`  ${String(i + 1).padStart(String(k).length)}. ${t.label.padEnd(width)}  ${t.probability.toFixed(4)}`));
        }
      } finally {
        session.release();
      }
    });
}
