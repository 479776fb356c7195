import { access } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { SepconvError } from '../errors.js';
import { fmtShape } from '../graph/shapes.js';
import { checkPngOutput, readImage, writePng } from '../image/io.js';
import { preprocess, resizePlane, type PreprocessSpec, type RgbImage } from '../image/preprocess.js';
import { Session } from '../runtime/session.js';

/**
 * The bundled MediaPipe selfie segmenter (models/README.md). This file is dist/cli/segment.js once
 * built, in a clone and in the installed package alike, so the model is two folders up.
 */
export const DEFAULT_SEGMENT_MODEL = new URL('../../models/selfie.sepconv', import.meta.url);

/**
 * The selfie model's preprocessing in the library that ships it (@vladmandic/human):
 * tf.image.resizeBilinear(rgb 0..255, [256, 256], alignCorners = false) / 255, i.e. TF.js's legacy
 * coordinates. The mask goes back with the same coordinates: a legacy 2x downscale samples photo
 * pixel (2i, 2j) for mask pixel (i, j), and the legacy 2x upscale puts mask pixel (i, j) back there.
 */
const COORD: PreprocessSpec['coord'] = 'legacy';
const SCALE = 1 / 255;

interface SegmentOpts {
  output: string;
  overlay?: string;
  threshold?: string;
  model?: string;
  json?: boolean;
}

const STAGES = ['decode', 'load model', 'preprocess', 'inference', 'postprocess', 'write'] as const;
type Stage = (typeof STAGES)[number];

/** Background of the overlay: the photo at 30 % brightness, tinted blue; the person is kept as is. */
const BG_GAIN = 0.3;
const BG_TINT = [0, 10, 45];

function parseThreshold(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(t) || t < 0 || t > 1) {
    throw new SepconvError(`--threshold must be a number from 0 to 1 (a mask probability), got '${raw}'`, 'E_USAGE');
  }
  return t;
}

const display = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
};

/** The model's [1,H,W,3] input and [1,H',W',1] output, or a UsageError saying what the model has instead. */
function segmentationIo(s: Session, model: string): { input: string; output: string; h: number; w: number; oh: number; ow: number } {
  const ins = s.inputNames.map((n) => `${n} ${fmtShape(s.inputs[n])}`).join(', ');
  const outs = s.outputNames.map((n) => `${n} ${fmtShape(s.outputs[n])}`).join(', ');
  const input = s.inputNames.length === 1 ? s.inputs[s.inputNames[0]] : undefined;
  const output = s.outputNames.length === 1 ? s.outputs[s.outputNames[0]] : undefined;
  const ok = input && output && input.length === 4 && input[0] === 1 && input[3] === 3 && output.length === 4 && output[0] === 1 && output[3] === 1;
  if (!ok) {
    throw new SepconvError(
      `model '${model}' is not a segmentation model: sepconv segment needs one input [1,H,W,3] (RGB) and one output [1,H,W,1] (a mask), but it has inputs ${ins} and outputs ${outs}`,
      'E_NOT_SEGMENTATION',
    );
  }
  return { input: s.inputNames[0], output: s.outputNames[0], h: input[1], w: input[2], oh: output[1], ow: output[2] };
}

/** Mask probabilities (photo size) -> 8-bit gray: 0..255, or 0 / 255 with a threshold. */
function maskBytes(p: Float32Array, threshold: number | undefined): Uint8Array {
  const out = new Uint8Array(p.length);
  if (threshold === undefined) for (let i = 0; i < p.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, p[i])) * 255);
  else for (let i = 0; i < p.length; i++) out[i] = p[i] >= threshold ? 255 : 0;
  return out;
}

/** The photo with the background darkened and tinted, blended by the mask (soft or binary). */
function overlayBytes(img: RgbImage, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let p = 0, i = 0; p < mask.length; p++) {
    const a = mask[p] / 255;
    for (let c = 0; c < 3; c++, i++) {
      const x = img.data[i];
      out[i] = Math.round(a * x + (1 - a) * (BG_GAIN * x + BG_TINT[c]));
    }
  }
  return out;
}

const ms = (t: number) => Math.round(t * 10) / 10;

/** `sepconv segment <image> -o mask.png [--overlay overlay.png] [--threshold t] [--model file] [--json]`. */
export function segmentCommand(): Command {
  return new Command('segment')
    .description('segment the person in a photo (PNG, JPEG, WebP) with the bundled MediaPipe selfie model: writes a grayscale mask PNG of the photo\'s size, optionally an overlay')
    .argument('<image>', 'the photo: PNG, JPEG or WebP')
    .requiredOption('-o, --output <mask.png>', 'where to write the mask: 8-bit grayscale PNG, person probability 0..255 (0 / 255 with --threshold)')
    .option('--overlay <overlay.png>', 'also write the photo with the background darkened and tinted, the person kept')
    .option('--threshold <t>', 'write a binary mask: 255 where the probability is >= t (0..1), else 0')
    .option('--model <file>', 'another segmentation model (.sepconv, TF.js model.json, .onnx) with one input [1,H,W,3] taking RGB / 255 and one output [1,H,W,1] of probabilities (default: the bundled selfie model)')
    .option('--json', 'print the sizes, foreground fraction and stage times as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sepconv segment photo.jpg -o mask.png\n  $ sepconv segment photo.png -o mask.png --overlay overlay.png --threshold 0.5\n  $ sepconv segment photo.png -o mask.png --model my-selfie.sepconv --json\n\nPreprocessing: tf.image.resizeBilinear of the RGB photo to the model\'s input size (alignCorners = false), / 255,\nas @vladmandic/human does for this model; the mask is resized back to the photo\'s size bilinearly.',
    )
    .action(async (image: string, opts: SegmentOpts) => {
      const threshold = parseThreshold(opts.threshold);
      if (opts.overlay !== undefined && opts.overlay === opts.output) throw new SepconvError(`--overlay and -o both name '${opts.output}'; give two different files`, 'E_USAGE');
      await checkPngOutput(opts.output);
      if (opts.overlay !== undefined) await checkPngOutput(opts.overlay);
      const times = {} as Record<Stage, number>;
      let t0 = performance.now();
      const lap = (stage: Stage) => {
        const t = performance.now();
        times[stage] = t - t0;
        t0 = t;
      };

      const img = await readImage(image);
      lap('decode');

      const modelPath = opts.model ?? fileURLToPath(DEFAULT_SEGMENT_MODEL);
      const modelName = opts.model ?? display(modelPath);
      if (!opts.model) {
        await access(modelPath).catch(() => {
          throw new SepconvError(`the bundled model '${modelPath}' is missing (run 'npm run build:models' in a clone); or pass --model <file>`, 'E_MODEL_NOT_FOUND');
        });
      }
      const session = await Session.create(modelPath, { layout: 'nhwc' });
      try {
        const io = segmentationIo(session, modelName);
        lap('load model');

        const x = preprocess(img, { size: [io.h, io.w], coord: COORD, scale: SCALE, offset: 0 });
        lap('preprocess');

        const y = (await session.run({ [io.input]: { data: x, shape: [1, io.h, io.w, 3] } }))[io.output].data;
        lap('inference');

        const prob = resizePlane(y, io.oh, io.ow, img.height, img.width, COORD);
        const mask = maskBytes(prob, threshold);
        const cut = threshold ?? 0.5;
        let fg = 0;
        for (let i = 0; i < prob.length; i++) if (prob[i] >= cut) fg++;
        const overlay = opts.overlay !== undefined ? overlayBytes(img, mask) : undefined;
        lap('postprocess');

        await writePng(opts.output, { width: img.width, height: img.height, channels: 1, data: mask });
        if (overlay) await writePng(opts.overlay!, { width: img.width, height: img.height, channels: 3, data: overlay });
        lap('write');

        const total = STAGES.reduce((s, k) => s + times[k], 0);
        const foreground = fg / prob.length;
        if (opts.json) {
          console.log(JSON.stringify({
            image, width: img.width, height: img.height, model: modelName,
            input: { name: io.input, shape: [1, io.h, io.w, 3] }, output: { name: io.output, shape: [1, io.oh, io.ow, 1] },
            mask: opts.output, overlay: opts.overlay ?? null, threshold: threshold ?? null,
            foreground, foregroundCut: cut,
            timesMs: { decode: ms(times.decode), loadModel: ms(times['load model']), preprocess: ms(times.preprocess), inference: ms(times.inference), postprocess: ms(times.postprocess), write: ms(times.write), total: ms(total) },
          }));
          return;
        }
        const lines = [
          `segmented ${image} (${img.width}x${img.height}) with ${modelName} (${io.input} [1,${io.h},${io.w},3] -> ${io.output} [1,${io.oh},${io.ow},1])`,
          `  mask        ${opts.output} (${img.width}x${img.height} gray, ${threshold === undefined ? 'probability 0..255' : `0 / 255 at p >= ${threshold}`})`,
          ...(opts.overlay ? [`  overlay     ${opts.overlay} (${img.width}x${img.height} RGB, background darkened)`] : []),
          `  foreground  ${(100 * foreground).toFixed(1)}% of the pixels (p >= ${cut})`,
          ...STAGES.map((k) => `  ${k.padEnd(11)} ${ms(times[k]).toFixed(1).padStart(7)} ms`),
          `  ${'total'.padEnd(11)} ${ms(total).toFixed(1).padStart(7)} ms`,
        ];
        console.log(lines.join('\n'));
      } finally {
        session.release();
      }
    });
}
