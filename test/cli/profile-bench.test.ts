import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (npm test builds dist/ first) as a user would. Timed numbers are only
// checked for structure and consistency (never against speed targets).
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/sepconv.js', ...args], { encoding: 'utf8' });

const SMALL = ['mobilenet_v3_small', '--width', '0.35', '--resolution', '96'];
const SELFIE = 'test/fixtures/tfjs/selfie/selfie.json';
// enough runs that the medians shrug off a busy machine's hiccups (runs take ~1 ms and ~20 ms)
const FAST = ['--runs', '15', '--warmup', '2'];
const FAST_SELFIE = ['--runs', '5', '--warmup', '1'];

interface Row {
  layer: string;
  op: string;
  kernel: string;
  shape: string;
  ms: number;
  pct: number;
  gflops: string;
  pctCeiling: string;
}

/** The rows between the two '=' rules of a profile table, and the reported node count and total. */
function parseProfile(stdout: string): { rows: Row[]; nodes: number; totalMs: number; sumMs: number } {
  const lines = stdout.split('\n');
  const rules = lines.map((l, i) => (/^=+$/.test(l) ? i : -1)).filter((i) => i >= 0);
  expect(rules).toHaveLength(2);
  const rows = lines.slice(rules[0] + 1, rules[1]).map((l) => {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\[[\d, ]*\])\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s+(\S+)$/.exec(l);
    expect(m, l).not.toBeNull();
    return { layer: m![1], op: m![2], kernel: m![3], shape: m![4], ms: Number(m![5]), pct: Number(m![6]), gflops: m![7], pctCeiling: m![8] };
  });
  const nodes = Number(/Layers: (\d+) planned nodes, \d+ kernel calls per run/.exec(stdout)?.[1]);
  const total = /Total: ([\d.]+) ms per run \(sum of layer medians ([\d.]+) ms\)/.exec(stdout);
  expect(total).not.toBeNull();
  return { rows, nodes, totalMs: Number(total![1]), sumMs: Number(total![2]) };
}

const expectNumber = (v: unknown, what: string) => {
  expect(typeof v, what).toBe('number');
  expect(Number.isFinite(v), what).toBe(true);
};

describe('sepconv profile', () => {
  it('prints one row per planned node, sorted by time, with the GEMM ceiling measured in the run', () => {
    const r = run('profile', ...SMALL, ...FAST, '--ceiling-ms', '50');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/GEMM ceiling: [\d.]+ GFLOP\/s \(f32-gemm-\d+x\d+ on m=1024 k=512 n=512, (simd|relaxed) build, measured in this run\)/);
    expect(r.stdout).toMatch(/layer\s+op\s+kernel\s+output shape\s+ms\s+% total\s+GFLOP\/s\s+% ceiling/);
    const p = parseProfile(r.stdout);
    expect(p.nodes).toBeGreaterThan(30);
    expect(p.rows).toHaveLength(p.nodes);
    expect(new Set(p.rows.map((x) => x.layer)).size).toBe(p.nodes);
    for (let i = 1; i < p.rows.length; i++) expect(p.rows[i].ms).toBeLessThanOrEqual(p.rows[i - 1].ms);
    for (const row of p.rows) {
      expect(row.kernel).toMatch(/^(\(view\)|f32-[a-z0-9-]+(\+f32-[a-z0-9-]+)*)$/);
      if (row.op === 'Conv2D' || row.op === 'DepthwiseConv2D') {
        expect(row.gflops, row.layer).toMatch(/^[\d.]+$/);
        expect(row.pctCeiling, row.layer).toMatch(/^\d+$/);
      }
    }
    expect(p.rows.map((x) => x.layer)).toContain('block_0/dw');
    // per-layer medians against the median run: same order of magnitude
    const sum = p.rows.reduce((a, x) => a + x.ms, 0);
    expect(sum).toBeGreaterThan(0.2 * p.totalMs);
    expect(sum).toBeLessThan(2 * p.totalMs);
    expect(Math.abs(sum - p.sumMs)).toBeLessThan(0.01 * p.nodes + 0.01);
    expect(r.stdout).toMatch(/Compute: [\d.]+ GMACs \([\d.]+M MACs\), [\d.]+ GFLOP\/s = \d+% of the GEMM ceiling/);
    expect(r.stdout).toMatch(/Peak activation memory: [\d.]+ MiB planned/);
  });

  it('--json: every field present and numeric, one node per row of the table', () => {
    const r = run('profile', ...SMALL, ...FAST, '--ceiling-ms', '50', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const f of ['runs', 'warmup', 'totalMs', 'sumMs', 'macs', 'gflops', 'pctCeiling', 'peakActivationBytes', 'weightBytes']) expectNumber(j[f], f);
    for (const f of ['gflops']) expectNumber(j.ceiling[f], `ceiling.${f}`);
    expect(j.ceiling.kernel).toMatch(/^f32-gemm-/);
    expect(['simd', 'relaxed']).toContain(j.variant);
    expect(j.runs).toBe(15);
    expect(j.inputs).toEqual({ input: [1, 96, 96, 3] });
    expect(j.totalMs).toBeGreaterThan(0);
    expect(j.peakActivationBytes).toBeGreaterThan(0);
    expect(j.sumMs).toBeGreaterThan(0.2 * j.totalMs);
    expect(j.sumMs).toBeLessThan(2 * j.totalMs);
    const text = parseProfile(run('profile', ...SMALL, '--runs', '1', '--warmup', '0', '--no-ceiling').stdout);
    expect(j.nodes).toHaveLength(text.nodes);
    expect(new Set(j.nodes.map((n: { node: string }) => n.node))).toEqual(new Set(text.rows.map((x) => x.layer)));
    let macs = 0;
    for (const n of j.nodes) {
      for (const f of ['ms', 'pctTotal', 'macs', 'gflops', 'pctCeiling', 'calls']) expectNumber(n[f], `${n.node}.${f}`);
      expect(typeof n.node).toBe('string');
      expect(typeof n.op).toBe('string');
      expect(Array.isArray(n.kernels)).toBe(true);
      if (n.calls > 0) expect(n.kernels.length).toBeGreaterThan(0);
      else expect(n.kernels).toEqual([]);
      expect(n.outputShape.every((d: unknown) => Number.isInteger(d))).toBe(true);
      macs += n.macs;
    }
    expect(macs).toBe(j.macs);
    // the MACs are those `sepconv info` counts (the passes fold BN and activations, which have none)
    const info = JSON.parse(run('info', ...SMALL, '--json').stdout);
    expect(j.macs).toBe(info.macs);
  });

  it('profiles a real TF.js model (selfie segmenter); --top limits the rows, not the totals', () => {
    const r = run('profile', SELFIE, ...FAST_SELFIE, '--no-ceiling');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/inputs input_1 \[1, 256, 256, 3\] seeded random in \[0,1\)/);
    expect(r.stdout).toMatch(/GEMM ceiling: not measured/);
    const p = parseProfile(r.stdout);
    expect(p.rows).toHaveLength(p.nodes);
    expect(p.rows.some((x) => x.op === 'DepthToSpace')).toBe(true);
    expect(p.rows.every((x) => x.pctCeiling === '-')).toBe(true);
    const pctSum = p.rows.reduce((a, x) => a + x.pct, 0);
    expect(pctSum).toBeGreaterThan(20);
    expect(pctSum).toBeLessThan(200);

    const t = run('profile', SELFIE, '--runs', '1', '--warmup', '0', '--no-ceiling', '--top', '5');
    expect(t.status, t.stderr).toBe(0);
    const q = parseProfile(t.stdout);
    expect(q.rows).toHaveLength(5);
    expect(q.nodes).toBe(p.nodes);
    expect(t.stdout).toContain(`(${p.nodes - 5} faster layers not shown)`);
  });
});

describe('sepconv bench', () => {
  it('--json: percentiles in order, load time, peak RSS, kernel build', () => {
    const r = run('bench', ...SMALL, '--runs', '8', '--warmup', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no progress bar off a terminal
    const j = JSON.parse(r.stdout);
    for (const f of ['runs', 'warmup', 'threads', 'macs', 'medianMs', 'p10Ms', 'p90Ms', 'minMs', 'maxMs', 'msPerGmac', 'gmacPerS', 'loadMs', 'peakRssMB']) expectNumber(j[f], f);
    for (const f of ['graphMs', 'sessionMs', 'firstRunMs']) expectNumber(j.load[f], `load.${f}`);
    expect(j.runs).toBe(8);
    expect(j.minMs).toBeLessThanOrEqual(j.p10Ms);
    expect(j.p10Ms).toBeLessThanOrEqual(j.medianMs);
    expect(j.medianMs).toBeLessThanOrEqual(j.p90Ms);
    expect(j.p90Ms).toBeLessThanOrEqual(j.maxMs);
    expect(j.loadMs).toBeGreaterThan(0);
    expect(j.loadMs).toBeGreaterThanOrEqual(j.load.firstRunMs);
    expect(j.peakRssMB).toBeGreaterThan(0);
    expect(j.msPerGmac).toBeCloseTo(j.medianMs / (j.macs / 1e9), 6);
    expect(['simd', 'relaxed']).toContain(j.variant);
  });

  it('prints the summary for a real model; --threads > 1 is accepted with a note; --variant picks the build', () => {
    const r = run('bench', SELFIE, '--runs', '4', '--warmup', '1', '--threads', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--threads 2: sessions run on one thread for now/);
    expect(r.stdout).toMatch(/^graph-model \(test\/fixtures\/tfjs\/selfie\/selfie\.json\): (simd|relaxed) build, 1 thread, 4 runs after 1 warm-up/);
    expect(r.stdout).toMatch(/median\s+[\d.]+ ms\s+\(p10 [\d.]+, p90 [\d.]+, min [\d.]+, max [\d.]+\)/);
    expect(r.stdout).toMatch(/per GMAC\s+[\d.]+ ms\/GMAC/);
    expect(r.stdout).toMatch(/load\s+[\d.]+ ms\s+file to first result/);
    expect(r.stdout).toMatch(/peak RSS\s+[\d.]+ MB/);
    expect(r.stdout).toMatch(/kernels\s+(simd|relaxed) build/);

    for (const v of ['simd', 'relaxed']) {
      const b = run('bench', ...SMALL, '--runs', '2', '--warmup', '0', '--variant', v, '--json');
      expect(b.status, b.stderr).toBe(0);
      expect(JSON.parse(b.stdout).variant).toBe(v);
    }
  });
});

describe('sepconv profile / bench errors and help', () => {
  it('user errors exit 1 with a one-line message', () => {
    const cases: Array<[string[], RegExp]> = [
      [['profile', 'no-such-model.sepconv'], /cannot read model 'no-such-model\.sepconv': no such file/],
      [['bench', 'no-such-model.sepconv'], /cannot read model 'no-such-model\.sepconv': no such file/],
      [['profile', ...SMALL, '--runs', '0'], /--runs must be an integer >= 1, got '0'/],
      [['bench', ...SMALL, '--runs', '0'], /--runs must be an integer >= 1, got '0'/],
      [['profile', ...SMALL, '--runs', 'x'], /--runs must be an integer >= 1, got 'x'/],
      [['bench', ...SMALL, '--runs', 'x'], /--runs must be an integer >= 1, got 'x'/],
      [['bench', ...SMALL, '--warmup', '-1'], /--warmup must be an integer >= 0, got '-1'/],
      [['bench', ...SMALL, '--threads', '0'], /--threads must be an integer >= 1, got '0'/],
      [['bench', ...SMALL, '--variant', 'avx'], /--variant must be simd, relaxed or auto, got 'avx'/],
      [['profile', 'mobilenet_v2', '--groups', '3'], /--groups does not apply to mobilenet_v2/],
      [['bench', 'mobilenet_v2', '--groups', '3'], /--groups does not apply to mobilenet_v2/],
      [['profile', 'mobilenet_v2', '--input-shape', '1x224x224x3'], /--input-shape does not apply to zoo models/],
      [['profile', SELFIE, '--input-shape', '1x3x3'], /inputShapes\['input_1'\] = \[1,3,3\] does not fit the model's input shape/],
      [['bench', SELFIE, '--input-shape', 'input_1=1xAx3'], /--input-shape 'input_1=1xAx3': expected name=1x224x224x3/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });

  it('--help shows the options and examples', () => {
    for (const [cmd, opts] of [
      ['profile', ['--runs', '--warmup', '--input-shape', '--variant', '--ceiling-ms', '--no-ceiling', '--top', '--json', '--width', '--resolution']],
      ['bench', ['--runs', '--warmup', '--threads', '--variant', '--input-shape', '--no-progress', '--json', '--width', '--resolution']],
    ] as const) {
      const r = run(cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`$ sepconv ${cmd} mobilenet_v2`);
      for (const o of opts) expect(r.stdout, `${cmd} ${o}`).toContain(o);
    }
  });
});
