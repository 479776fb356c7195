import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Command } from 'commander';
import { SepconvError, ShapeError } from '../errors.js';
import { splitShapeSpec } from './model-arg.js';
import { readImage } from '../image/index.js';
import { Session, type Tensor } from '../runtime/session.js';
import { readNpy, writeNpy } from '../util/npy.js';
import { describePreprocess, imageInput, loadCliGraph, parsePreprocess, PREPROCESS_HELP } from './classify.js';

const fmtDims = (s: readonly number[]) => `[${s.join(',')}]`;
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** "--shape 1x224x224x3" (the model's only input) or "name=1x224x224x3"; `x` or `,` between dims. */
export function parseShapeArg(spec: string): { name?: string; shape: number[] } {
  const r = splitShapeSpec(spec);
  if (!r) throw new SepconvError(`--shape '${spec}': expected 1x224x224x3 or name=1x224x224x3 (positive integers)`, 'E_USAGE');
  return r;
}

/** A file name for a tensor name: characters outside [A-Za-z0-9._-] become '_'; no leading dot. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
  return s || 'output';
}

export interface TensorStats {
  min: number;
  max: number;
  mean: number;
  /** NaN / ±Infinity values (left out of min / max / mean). */
  nonFinite: number;
}

export function tensorStats(x: Float32Array): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n ? { min, max, mean: sum / n, nonFinite: x.length - n } : { min: NaN, max: NaN, mean: NaN, nonFinite: x.length };
}

const exists = (file: string) => access(file).then(() => true, () => false);

type InputKind = 'image' | 'npy' | 'raw';

const kindOf = (file: string): InputKind => {
  const ext = extname(file).toLowerCase();
  return ext === '.npy' ? 'npy' : ext === '.bin' || ext === '.raw' || ext === '.f32' ? 'raw' : 'image';
};

async function readInputFile(file: string, name: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new SepconvError(`cannot read '${file}' for input '${name}': ${why}`, 'E_INPUT');
  }
}

interface RunOpts {
  input?: string[];
  shape?: string[];
  preprocess?: string;
  outputs?: string;
  outputDir: string;
  save: boolean;
  layout?: string;
  json?: boolean;
}

/** `sepconv run <model> --input file`: runs any model, saves every output as .npy, prints statistics. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a model on images, .npy arrays or raw float32 files; save every output as .npy and print its shape, min, max and mean')
    .argument('<model>', '.sepconv, TF.js model.json / UMD model.min.js, or .onnx')
    .option('-i, --input <[name=]file>', 'an input: an image (PNG / JPEG / WebP), a .npy array or raw little-endian float32 (.bin / .raw / .f32); name= picks the model input (repeatable; needed when the model has several)', (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option('--shape <[name=]dims>', "shape of an input with unknown dimensions, in the model's own layout (e.g. 1x224x224x3; ONNX: 1x3x224x224) (repeatable)", (v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .option('-p, --preprocess <spec>', 'how image inputs become tensors (below); default "scale=1/255,legacy", resized to the input\'s size')
    .option('--outputs <names>', "comma-separated tensors to compute and save: graph outputs or intermediate tensors (default: the model's outputs)")
    .option('-o, --output-dir <dir>', 'where to write <output name>.npy (created if missing; names sanitized: / and other characters become _)', 'outputs')
    .option('--no-save', 'print the statistics without writing .npy files')
    .option('--layout <nchw|nhwc>', "layout of 4-D inputs and outputs (.npy / raw files): default the model's own, nchw for ONNX, nhwc for TF.js / .sepconv")
    .option('--json', 'print { model, layout, inputs, outputs: [{ name, shape, min, max, mean, nonFinite, file }], ms } as JSON')
    .addHelpText(
      'after',
      `
Inputs are matched to the model's by name (--input name=file) or, for a one-input model, given as
a bare file. .npy arrays must have exactly the input's shape; raw files exactly its byte size
(4 bytes per value, C order). Images are resized to the input's size and fed as [1,H,W,3]
(transposed for NCHW models).

${PREPROCESS_HELP}

Examples:
  $ sepconv run selfie.json --input photo.png                     # writes outputs/activation_10.npy
  $ sepconv run model.onnx --input x.npy --outputs logits,probs --output-dir out
  $ sepconv run nsfwjs/model.min.js --input input_1=cat.jpg --preprocess "scale=1/255,align_corners" --json
  $ sepconv run model.json --input x.bin --shape 1x192x192x3 --no-save`,
    )
    .action(async (model: string, opts: RunOpts) => {
      const inputSpecs = opts.input ?? [];
      if (inputSpecs.length === 0) throw new SepconvError("no input: give one with --input <file> (or --input name=file per model input)", 'E_USAGE');
      if (opts.layout !== undefined && opts.layout !== 'nchw' && opts.layout !== 'nhwc') {
        throw new SepconvError(`--layout must be nchw or nhwc, got '${opts.layout}'`, 'E_USAGE');
      }
      const pre = parsePreprocess(opts.preprocess);
      const outputs = opts.outputs ? opts.outputs.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      if (outputs && outputs.length === 0) throw new SepconvError(`--outputs '${opts.outputs}' names no tensor`, 'E_USAGE');
      const named: Record<string, number[]> = {};
      let unnamed: number[] | undefined;
      for (const spec of opts.shape ?? []) {
        const { name, shape } = parseShapeArg(spec);
        if (name) named[name] = shape;
        else if (unnamed) throw new SepconvError('--shape given twice without an input name; use --shape name=dims for each input', 'E_USAGE');
        else unnamed = shape;
      }
      let unnamedUsed = false;
      const graph = await loadCliGraph(model, {
        outputs,
        inputShapes: named,
        fill: () => (unnamed && !unnamedUsed ? ((unnamedUsed = true), unnamed) : undefined),
        hint: 'give its shape with --shape {name}={example}',
      }).catch((e: unknown) => {
        // the importers speak of the API option; say it with the flag
        if (e instanceof ShapeError) {
          e.message = e.message.replace(/inputShapes\['(.+?)'\] = \[([\d,]*)\]/, (_, n: string, d: string) => `--shape ${n}=${d.split(',').join('x')}`);
        }
        throw e;
      });
      if (unnamed && !unnamedUsed) {
        // every input has a known shape: a bare --shape must name it exactly (in the model's own layout)
        const native = (s: number[]) => (graph.layout === 'NCHW' && s.length === 4 ? [s[0], s[3], s[1], s[2]] : s);
        const ins = graph.inputs.map((i) => ({ name: i.name, shape: native(i.shape) }));
        if (ins.length !== 1) throw new SepconvError(`--shape ${fmtDims(unnamed)}: this model has ${ins.length} inputs; give --shape name=dims`, 'E_USAGE');
        if (ins[0].shape.length !== unnamed.length || ins[0].shape.some((d, i) => d !== unnamed![i])) {
          throw new ShapeError(`--shape ${unnamed.join('x')} does not match input '${ins[0].name}', whose shape ${fmtDims(ins[0].shape)} is fixed by the model`);
        }
      }
      const session = await Session.create(graph, { outputs, layout: opts.layout as 'nchw' | 'nhwc' | undefined });
      try {
        const inputNames = session.inputNames;
        const nchw = session.layout === 'nchw';
        // match --input specs to model inputs
        const files: Record<string, string> = {};
        const specs: Record<string, string> = {};
        for (const spec of inputSpecs) {
          const eq = spec.indexOf('=');
          let name: string | undefined;
          let file = spec;
          if (eq > 0 && inputNames.includes(spec.slice(0, eq))) {
            name = spec.slice(0, eq);
            file = spec.slice(eq + 1);
          } else if (eq > 0 && (inputNames.length > 1 || !(await exists(spec)))) {
            throw new SepconvError(`--input '${spec}': '${spec.slice(0, eq)}' is not an input of this model${inputNames.length === 1 ? ` (and no file is named '${spec}')` : ''}; its inputs are ${inputNames.map((n) => `'${n}' ${fmtDims(session.inputs[n])}`).join(', ')}`, 'E_USAGE');
          } else if (inputNames.length === 1) {
            name = inputNames[0];
          } else {
            throw new SepconvError(`--input '${spec}': this model has ${inputNames.length} inputs (${inputNames.map((n) => `'${n}' ${fmtDims(session.inputs[n])}`).join(', ')}); give each as --input name=file`, 'E_USAGE');
          }
          if (files[name]) throw new SepconvError(`input '${name}' is given twice (--input ${specs[name]} and --input ${spec})`, 'E_USAGE');
          files[name] = file;
          specs[name] = spec;
        }
        for (const n of inputNames) {
          if (!files[n]) throw new SepconvError(`missing input '${n}' ${fmtDims(session.inputs[n])}: give it with --input ${n}=<file>`, 'E_USAGE');
        }
        if (opts.preprocess && !Object.values(files).some((f) => kindOf(f) === 'image')) {
          throw new SepconvError('--preprocess applies to image inputs, and no --input is an image', 'E_USAGE');
        }

        const feeds: Record<string, Tensor> = {};
        const inputsInfo: { name: string; shape: number[]; file: string; kind: InputKind; preprocess?: string }[] = [];
        for (const name of inputNames) {
          const shape = session.inputs[name];
          const file = files[name];
          const kind = kindOf(file);
          const need = sizeOf(shape);
          let data: Float32Array;
          let how: string | undefined;
          if (kind === 'npy') {
            const a = readNpy(await readInputFile(file, name), file);
            if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
              throw new ShapeError(`${file}: the array has shape ${fmtDims(a.shape)} but input '${name}' is ${fmtDims(shape)}${shape.length === 4 ? ` (${nchw ? 'NCHW' : 'NHWC'})` : ''}`);
            }
            data = a.data;
          } else if (kind === 'raw') {
            const b = await readInputFile(file, name);
            if (b.length !== need * 4) {
              throw new ShapeError(`${file}: ${b.length} bytes, but input '${name}' ${fmtDims(shape)} needs ${need} float32 values = ${need * 4} bytes${b.length % 4 === 0 ? ` (the file holds ${b.length / 4} values)` : ''}`);
            }
            data = new Float32Array(need);
            new Uint8Array(data.buffer).set(b);
          } else {
            const [N, H, W, C] = nchw ? [shape[0], shape[2], shape[3], shape[1]] : shape;
            if (shape.length !== 4 || N !== 1 || C !== 3) {
              throw new ShapeError(`${file} is an image but input '${name}' has shape ${fmtDims(shape)}; images feed [1,H,W,3] inputs${nchw ? ' ([1,3,H,W] NCHW)' : ''} (give other inputs as .npy or raw float32)`);
            }
            if (pre.size && (pre.size[0] !== H || pre.size[1] !== W)) {
              throw new ShapeError(`--preprocess resize=${pre.size[0]}x${pre.size[1]} does not match input '${name}' ${fmtDims(shape)} (${H}x${W})`);
            }
            const img = await readImage(file);
            const x = imageInput(img, pre, [H, W]);
            data = nchw ? hwcToChw(x, H, W) : x;
            how = describePreprocess(pre, [H, W]);
          }
          feeds[name] = { data, shape };
          inputsInfo.push({ name, shape, file, kind, ...(how && { preprocess: how }) });
        }

        const t0 = performance.now();
        const out = await session.run(feeds);
        const ms = performance.now() - t0;

        const used = new Set<string>();
        const results: ({ name: string; shape: number[]; file?: string } & TensorStats)[] = [];
        if (opts.save) await mkdir(opts.outputDir, { recursive: true }).catch((e: Error) => {
          throw new SepconvError(`cannot create --output-dir '${opts.outputDir}': ${e.message}`, 'E_OUTPUT');
        });
        for (const name of session.outputNames) {
          const t = out[name];
          let file: string | undefined;
          if (opts.save) {
            let base = sanitizeName(name);
            for (let i = 2; used.has(base.toLowerCase()); i++) base = `${sanitizeName(name)}_${i}`;
            used.add(base.toLowerCase());
            file = join(opts.outputDir, `${base}.npy`);
            try {
              await writeFile(file, writeNpy(t.data, t.shape));
            } catch (e) {
              throw new SepconvError(`cannot write '${file}': ${(e as Error).message}`, 'E_OUTPUT');
            }
          }
          results.push({ name, shape: t.shape, ...(file && { file }), ...tensorStats(t.data) });
        }

        if (opts.json) {
          console.log(JSON.stringify({ model, layout: session.layout, inputs: inputsInfo, outputs: results, ms: Number(ms.toFixed(2)) }, null, 2));
          return;
        }
        const g = (v: number) => (Number.isNaN(v) ? 'nan' : Number(v.toPrecision(6)).toString());
        console.log(`model ${model} (${session.layout.toUpperCase()} I/O), ran in ${ms.toFixed(1)} ms`);
        for (const i of inputsInfo) {
          console.log(`input  ${i.name} ${fmtDims(i.shape)} <- ${i.file} (${i.kind === 'npy' ? '.npy' : i.kind === 'raw' ? 'raw float32' : `image: ${i.preprocess}`})`);
        }
        const rows = results.map((r) => [r.name, fmtDims(r.shape), g(r.min), g(r.max), g(r.mean), [r.file, r.nonFinite ? `(${r.nonFinite} NaN/Inf values)` : ''].filter(Boolean).join('  ')]);
        const head = ['output', 'shape', 'min', 'max', 'mean', opts.save ? 'saved' : ''];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
        console.log(line(head));
        for (const r of rows) console.log(line(r));
      } finally {
        session.release();
      }
    });
}

/** NHWC [1,H,W,3] data -> NCHW [1,3,H,W]. */
function hwcToChw(x: Float32Array, H: number, W: number): Float32Array {
  const y = new Float32Array(x.length);
  const hw = H * W;
  for (let p = 0; p < hw; p++) for (let c = 0; c < 3; c++) y[c * hw + p] = x[p * 3 + c];
  return y;
}
