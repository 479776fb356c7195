import { FormatError, SepconvError } from '../errors.js';
import { readSepconv } from '../format/index.js';
import { MAGIC } from '../format/spec.js';
import type { Graph } from '../graph/ir.js';
import { importTfjsModel, loadTfjsModel, type ImportOptions, type TfjsLayersModelJson, type TfjsModelJson } from '../importers/tfjs/index.js';

/**
 * Where models come from: every source Session.create and the CLI accept becomes an IR Graph
 * here (file formats are detected by extension, raw bytes by their magic).
 */

/** A TF.js model (graph-model or layers-model) held in memory: model.json (parsed) and its weight shards concatenated. */
export interface TfjsModelSource {
  modelJson: TfjsModelJson | TfjsLayersModelJson;
  weights: Uint8Array | ArrayBuffer;
}

/**
 * `.sepconv` path / URL / bytes, `.onnx` path / URL / bytes, TF.js `model.json` or UMD `model.min.js`
 * path / URL, an in-memory TF.js model, or a Graph.
 */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | Graph | TfjsModelSource;

const isGraph = (s: unknown): s is Graph => typeof s === 'object' && s !== null && 'nodes' in s && 'constants' in s;
const isTfjs = (s: unknown): s is TfjsModelSource => typeof s === 'object' && s !== null && 'modelJson' in s && 'weights' in s;
const isJsonPath = (s: ModelSource): s is string | URL => (typeof s === 'string' || s instanceof URL) && /\.(json|[cm]?js)$/i.test(s instanceof URL ? s.pathname : s);

async function readSource(source: string | URL | Uint8Array | ArrayBuffer): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'model bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'model bytes' };
  const isUrl = source instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  const url = isUrl ? new URL(source) : null;
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!url || (url.protocol === 'file:' && isNode)) {
    const { readFile } = await import('node:fs/promises');
    const path = url ?? (source as string);
    try {
      return { bytes: await readFile(path), name: String(source) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new SepconvError(`cannot read model '${String(source)}': ${why}`, 'E_MODEL_NOT_FOUND');
    }
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new SepconvError(`cannot fetch model ${url.href}: ${(e as Error).message}`, 'E_MODEL_NOT_FOUND');
  }
  if (!res.ok) throw new SepconvError(`cannot fetch model ${url.href}: HTTP ${res.status} ${res.statusText}`, 'E_MODEL_NOT_FOUND');
  return { bytes: new Uint8Array(await res.arrayBuffer()), name: url.href };
}

/**
 * The ONNX importer, loaded on first use: it needs protobufjs (CommonJS), which a browser page
 * loading sepconv's ESM files without a bundler cannot import, so nothing else depends on it.
 */
async function onnxImporter(): Promise<typeof import('../importers/onnx/import.js')> {
  try {
    return await import('../importers/onnx/import.js');
  } catch (e) {
    throw new SepconvError(
      `loading ONNX models needs the 'protobufjs' package, which could not be loaded (${(e as Error).message}); in browsers, bundle sepconv with a bundler that resolves npm packages`,
      'E_ONNX_UNAVAILABLE',
    );
  }
}

/**
 * The IR graph of a model source. `outputs` lets importers skip what the requested tensors do
 * not need (ops outside that subgraph are never looked at).
 */
export async function loadGraph(source: ModelSource, options: Omit<ImportOptions, 'source'> = {}): Promise<Graph> {
  if (isGraph(source)) return source;
  if (isTfjs(source)) {
    const w = source.weights instanceof Uint8Array ? source.weights : new Uint8Array(source.weights);
    return importTfjsModel(source.modelJson, w, { ...options, source: 'TF.js model' });
  }
  if (isJsonPath(source)) return loadTfjsModel(source, options);
  const { bytes, name } = await readSource(source);
  const path = source instanceof URL ? source.pathname : typeof source === 'string' ? source : '';
  if (/\.onnx$/i.test(path)) return (await onnxImporter()).importOnnx(bytes, { ...options, source: name });
  // bytes (or another extension): the .sepconv magic, else an ONNX protobuf, else the .sepconv reader's error
  const isSepconv = bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
  const kind = sniffNonModel(bytes);
  if (!isSepconv && kind) {
    throw new FormatError(`${name}: this is ${kind}, not a model; give a .sepconv file, a TF.js model.json / model.min.js or an .onnx file`);
  }
  if (!isSepconv && !/\.sepconv$/i.test(path)) {
    const onnx = await onnxImporter().catch(() => null);
    if (!onnx) return readSepconv(bytes, name);
    try {
      return onnx.importOnnx(bytes, { ...options, source: name });
    } catch (e) {
      if (!(e instanceof FormatError && /not (a valid|an) ONNX model/.test(e.message))) throw e;
      throw new FormatError(`${name}: neither a .sepconv file (no "SEPCONV" magic) nor an ONNX model (${e.message.replace(`${name}: `, '')})`);
    }
  }
  return readSepconv(bytes, name);
}

/** Common files people pass by mistake, recognised by their first bytes. */
function sniffNonModel(b: Uint8Array): string | null {
  const starts = (...sig: number[]) => b.length >= sig.length && sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x52, 0x49, 0x46, 0x46) && b.length >= 12 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'a WebP image';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'a GIF image';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (a PyTorch .pt or Keras .keras file? convert it to ONNX or TF.js first)';
  if (starts(0x89, 0x48, 0x44, 0x46)) return 'an HDF5 file (a Keras .h5 model? convert it with tensorflowjs_converter first)';
  return null;
}
