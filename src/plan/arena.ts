/**
 * Static activation-memory planning from tensor lifetimes (greedy best-fit by size, the
 * approach of TFLite's arena planner and XNNPACK's memory planner).
 *
 * Every tensor lives from the step that produces it (`first`) to the last step that reads it
 * (`last`, inclusive). Two tensors may share bytes only when their lifetimes do not overlap.
 * A tensor may instead alias another (`alias`): it then takes the same offset, e.g. an in-place
 * activation or an add that overwrites its dying input, or a channel slice of a concat buffer.
 */
export interface TensorLifetime {
  name: string;
  bytes: number;
  first: number;
  last: number;
  /** Share the storage of this tensor at this byte offset inside it (in-place or slice). */
  alias?: { of: string; byteOffset: number };
}

export interface ArenaPlan {
  /** Byte offset of every tensor inside the activation arena. */
  offsets: Map<string, number>;
  /** Size of the arena in bytes (the peak of simultaneously live bytes after packing). */
  peakBytes: number;
  /** What one buffer per tensor would take. */
  naiveBytes: number;
}

const ALIGN = 64;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export function planArena(tensors: readonly TensorLifetime[]): ArenaPlan {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  // Resolve alias chains to a root, and widen the root's lifetime to cover its aliases.
  const root = (t: TensorLifetime): { t: TensorLifetime; off: number } => {
    let off = 0;
    let cur = t;
    const seen = new Set<string>();
    while (cur.alias) {
      if (seen.has(cur.name)) throw new Error(`alias cycle at tensor '${cur.name}'`);
      seen.add(cur.name);
      off += cur.alias.byteOffset;
      const next = byName.get(cur.alias.of);
      if (!next) throw new Error(`tensor '${cur.name}' aliases unknown tensor '${cur.alias.of}'`);
      cur = next;
    }
    return { t: cur, off };
  };
  const span = new Map<string, { first: number; last: number; bytes: number }>();
  for (const t of tensors) {
    const { t: r, off } = root(t);
    const s = span.get(r.name) ?? { first: r.first, last: r.last, bytes: r.bytes };
    s.first = Math.min(s.first, t.first);
    s.last = Math.max(s.last, t.last);
    s.bytes = Math.max(s.bytes, off + t.bytes);
    span.set(r.name, s);
  }
  const roots = [...span.entries()].map(([name, s]) => ({ name, ...s, bytes: align(s.bytes) }));
  // Largest first; each goes into the lowest gap among already-placed tensors whose
  // lifetimes overlap it that is big enough (best fit = smallest such gap).
  roots.sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: Array<{ first: number; last: number; off: number; end: number }> = [];
  const rootOff = new Map<string, number>();
  let peak = 0;
  for (const r of roots) {
    const live = placed
      .filter((p) => p.first <= r.last && r.first <= p.last)
      .sort((a, b) => a.off - b.off);
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const p of live) {
      const gap = p.off - cursor;
      if (gap >= r.bytes && gap < bestGap) {
        best = cursor;
        bestGap = gap;
      }
      cursor = Math.max(cursor, p.end);
    }
    const off = best >= 0 ? best : cursor;
    placed.push({ first: r.first, last: r.last, off, end: off + r.bytes });
    rootOff.set(r.name, off);
    peak = Math.max(peak, off + r.bytes);
  }
  const offsets = new Map<string, number>();
  for (const t of tensors) {
    const { t: r, off } = root(t);
    offsets.set(t.name, rootOff.get(r.name)! + off);
  }
  const naiveBytes = tensors.filter((t) => !t.alias).reduce((s, t) => s + align(t.bytes), 0);
  return { offsets, peakBytes: peak, naiveBytes };
}
