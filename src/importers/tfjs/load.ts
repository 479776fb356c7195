import { FormatError, SepconvError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import { importTfjsGraphModel, type TfjsModelJson } from './graph-model.js';

/** Reads a TF.js model.json (path or URL) and its weight shards (same folder), then imports it. */
export async function loadTfjsModel(source: string | URL, options: { outputs?: string[] } = {}): Promise<Graph> {
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
    const res = await fetch(u);
    if (!res.ok) throw new SepconvError(`cannot fetch ${u.href}: HTTP ${res.status}`, 'E_MODEL_NOT_FOUND');
    return new Uint8Array(await res.arrayBuffer());
  };
  const name = String(source);
  let json: TfjsModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(await read(''))) as TfjsModelJson;
  } catch (e) {
    if (e instanceof SepconvError) throw e;
    throw new FormatError(`${name}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(json?.weightsManifest)) throw new FormatError(`${name}: no weightsManifest; is this a TF.js model.json?`);
  const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths.map((p) => read(p))));
  const total = shards.reduce((s, a) => s + a.length, 0);
  const bytes = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    bytes.set(s, off);
    off += s.length;
  }
  return importTfjsGraphModel(json, bytes, { outputs: options.outputs, source: name });
}
