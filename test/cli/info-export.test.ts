import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (npm test builds dist/ first) as a user would.
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/sepconv.js', ...args], { encoding: 'utf8' });

describe('sepconv info / export', () => {
  it('info prints a layer table with totals near the published MobileNetV2 figures', () => {
    const r = run('info', 'mobilenet_v2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Layer \(type\)\s+Output shape\s+Params\s+MACs/);
    expect(r.stdout).toMatch(/block_\d+\/project \(Conv2D\)/);
    expect(r.stdout).toMatch(/Total params: 3,504,872 \(3\.50M\)/); // Keras MobileNetV2 trainable count
    expect(r.stdout).toMatch(/Total MACs: 300,774,272/);
    expect(r.stdout).toMatch(/Activation memory: [\d.]+ MiB planned, [\d.]+ MiB naive/);
  });

  it('info --json gives params, macs, activation bytes and layers', () => {
    const r = run('info', 'shufflenet_v1', '--groups', '3', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Math.abs(j.macs / 137e6 - 1)).toBeLessThan(0.05); // ShuffleNet 1x g=3, paper Table 1
    expect(j.activationBytes).toBeLessThan(j.naiveActivationBytes);
    expect(j.layers.length).toBeGreaterThan(50);
    expect(j.layers[0]).toHaveProperty('outputShape');
  });

  it('export writes a .sepconv file that info reads back with the same counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepconv-'));
    for (const dtype of ['float32', 'float16']) {
      const file = join(dir, `m-${dtype}.sepconv`);
      const e = run('export', 'mobilenet_v3_small', '--width', '0.75', '--dtype', dtype, '-o', file, '--json');
      expect(e.status, e.stderr).toBe(0);
      const written = JSON.parse(e.stdout);
      const i = JSON.parse(run('info', file, '--json').stdout);
      expect(i.params).toBe(written.params);
      expect(i.macs).toBe(written.macs);
    }
  });

  it('user errors exit 1 with a one-line message', () => {
    const cases: Array<[string[], RegExp]> = [
      [['info', 'mobilenet_v2', '--groups', '3'], /--groups does not apply to mobilenet_v2/],
      [['info', 'no-such-model.sepconv'], /cannot read model 'no-such-model\.sepconv': no such file/],
      [['info', 'test'], /it is a directory/],
      [['info', 'mobilenet_v2', '--width', '9'], /option 'width' is 9 but must be a number in/],
      [['export', 'resnet50', '-o', '/tmp/x.sepconv'], /unknown zoo model 'resnet50'/],
      [['export', 'mobilenet_v2', '--dtype', 'bf16', '-o', '/tmp/x.sepconv'], /--dtype must be one of float32, float16, int8/],
      [['info', 'package.json'], /package\.json: no weightsManifest; is this a TF\.js model\.json\?/],
      [['info', 'examples/astronaut.png'], /examples\/astronaut\.png: this is a PNG image, not a model; give a \.sepconv file/],
      [['info', 'README.md'], /README\.md: neither a \.sepconv file \(no "SEPCONV" magic\) nor an ONNX model/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });
});
