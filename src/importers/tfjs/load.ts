import { FormatError, SepconvError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import { importTfjsGraphModel, type ImportOptions, type TfjsModelJson } from './graph-model.js';
import { importTfjsLayersModel, type TfjsLayersModelJson } from './layers-model.js';
import { parseUmdModelJson, parseUmdShard } from './umd.js';

/** A JavaScript module file name (UMD model / shard, as nsfwjs ships them). */
const isJsName = (s: string): boolean => /\.[cm]?js$/i.test(s);

/**
 * Imports a TF.js model held in memory (model.json parsed, weight shards concatenated in manifest
 * order), dispatching on its format: `layers-model` (Keras topology) or `graph-model` (TF GraphDef).
 */
export function importTfjsModel(modelJson: TfjsModelJson | TfjsLayersModelJson, weightBytes: Uint8Array, options: ImportOptions = {}): Graph {
  const source = options.source ?? 'model.json';
  if (typeof modelJson !== 'object' || modelJson === null) throw new FormatError(`${source}: the model.json is not an object`);
  const topo = (modelJson as { modelTopology?: Record<string, unknown> }).modelTopology;
  const isLayers = modelJson.format === 'layers-model' || (!modelJson.format && typeof topo === 'object' && topo !== null && ('model_config' in topo || 'class_name' in topo));
  if (isLayers) {
    return importTfjsLayersModel(modelJson as unknown as TfjsLayersModelJson, weightBytes, { ...options, source });
  }
  if (modelJson.format !== undefined && modelJson.format !== 'graph-model') {
    throw new FormatError(`${source}: unknown TF.js model format '${String(modelJson.format)}' (supported: 'graph-model', 'layers-model')`);
  }
  return importTfjsGraphModel(modelJson as TfjsModelJson, weightBytes, { ...options, source });
}

/**
 * Reads a TF.js model (path or URL) and its weight shards (same folder): a `model.json` with binary
 * shards, or a UMD JavaScript module `model.min.js` (nsfwjs packaging) whose shards are UMD modules
 * `<manifest path>.min.js` holding base64 strings. The JavaScript is parsed, never evaluated.
 */
export async function readTfjsModelFiles(source: string | URL): Promise<{ modelJson: TfjsModelJson | TfjsLayersModelJson; weights: Uint8Array; name: string }> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const url = source instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? new URL(source) : null;
  const read = async (rel: string): Promise<Uint8Array> => {
    if (!url || (url.protocol === 'file:' && isNode)) {
      const { readFile } = await import('node:fs/promises');
      const { dirname, join } = await import('node:path');
      const { fileURLToPath } = await import('node:url');
      const base = url ? fileURLToPath(url) : (source as string);
      const path = rel === '' ? base : join(dirname(base), rel);
      try {
        return await readFile(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new SepconvError(`cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 'E_MODEL_NOT_FOUND');
      }
    }
    const u = rel === '' ? url : new URL(rel, url);
    let res: Response;
    try {
      res = await fetch(u);
    } catch (e) {
      throw new SepconvError(`cannot fetch ${u.href}: ${(e as Error).message}`, 'E_MODEL_NOT_FOUND');
    }
    if (!res.ok) throw new SepconvError(`cannot fetch ${u.href}: HTTP ${res.status}`, 'E_MODEL_NOT_FOUND');
    return new Uint8Array(await res.arrayBuffer());
  };
  const name = String(source);
  const path = url ? url.pathname : name;
  const text = new TextDecoder().decode(await read(''));
  // A JavaScript module by name, or anything that does not start like JSON.
  const umd = isJsName(path) || !/^\s*[{[]/.test(text);
  let json: TfjsModelJson | TfjsLayersModelJson;
  if (umd) json = parseUmdModelJson(text, name) as unknown as TfjsModelJson | TfjsLayersModelJson;
  else {
    try {
      json = JSON.parse(text) as TfjsModelJson | TfjsLayersModelJson;
    } catch (e) {
      throw new FormatError(`${name}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!Array.isArray(json?.weightsManifest)) throw new FormatError(`${name}: no weightsManifest; is this a TF.js model.json?`);
  // nsfwjs writes the shard paths without extension ('group1-shard1of1'); the files are '<path>.min.js'.
  const jsSuffix = /\.min\.[cm]?js$/i.test(path) ? '.min.js' : '.js';
  const readShard = async (p: string): Promise<Uint8Array> => {
    if (typeof p !== 'string') throw new FormatError(`${name}: weightsManifest paths must be strings`);
    if (isJsName(p)) return parseUmdShard(new TextDecoder().decode(await read(p)), p);
    if (!umd || /\.bin$/i.test(p)) return read(p);
    let text: string;
    try {
      text = new TextDecoder().decode(await read(p + jsSuffix));
    } catch (e) {
      // no '<path>.min.js' next to the model: the shard may be the binary file itself
      if (!(e instanceof SepconvError && e.code === 'E_MODEL_NOT_FOUND')) throw e;
      return read(p).catch(() => Promise.reject(e));
    }
    return parseUmdShard(text, p + jsSuffix);
  };
  const groups = json.weightsManifest;
  for (const g of groups) if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) throw new FormatError(`${name}: each weightsManifest group needs 'paths' and 'weights' arrays`);
  const shards = await Promise.all(groups.flatMap((g) => g.paths.map(readShard)));
  const total = shards.reduce((s, a) => s + a.length, 0);
  const weights = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    weights.set(s, off);
    off += s.length;
  }
  return { modelJson: json, weights, name };
}

/**
 * Reads a TF.js model (`model.json` or UMD `model.min.js`, path or URL) and its weight shards
 * (same folder), then imports it (layers-model or graph-model, see importTfjsModel).
 */
export async function loadTfjsModel(source: string | URL, options: Omit<ImportOptions, 'source'> = {}): Promise<Graph> {
  const { modelJson, weights, name } = await readTfjsModelFiles(source);
  return importTfjsModel(modelJson, weights, { ...options, source: name });
}
