import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';

// The npm package as users get it: `npm pack` (of the already built tree), installed into an
// empty project, then the README's main command through npx. Dependencies come from the npm
// registry (or npm's cache); nothing else is downloaded.
const repo = resolve('.');
const sh = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });

describe('npm package', () => {
  it('packs the wasm, the compiled JS + types, the default model and the CLI; the tarball installs and segments a photo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sepconv-pack-'));
    const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repo);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    for (const f of ['bin/sepconv.js', 'build/sepconv-simd.wasm', 'build/sepconv-relaxed.wasm', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'models/selfie.sepconv', 'README.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('assembly/'))).toBe(false);
    console.log(`npm pack: ${info.filename} ${(info.size / 1024).toFixed(0)} KB packed, ${(info.unpackedSize / 1024).toFixed(0)} KB unpacked, ${files.length} files`);

    const app = join(dir, 'app');
    sh('mkdir', ['-p', app], dir);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    const install = sh('npm', ['install', '--prefer-offline', '--no-save', join(dir, info.filename)], app);
    expect(install.status, install.stderr).toBe(0);
    const photo = join(repo, 'examples/astronaut.png');
    const seg = sh('npx', ['--no-install', 'sepconv', 'segment', photo, '-o', 'mask.png'], app);
    expect(seg.status, seg.stderr).toBe(0);
    expect(existsSync(join(app, 'mask.png'))).toBe(true);
    // and the library entry points resolve from the installed package
    writeFileSync(join(app, 'check.mjs'), "import { Session } from 'sepconv'; import { exportOnnx } from 'sepconv/onnx'; const s = await Session.create(new URL('./node_modules/sepconv/models/selfie.sepconv', import.meta.url)); console.log(JSON.stringify(s.inputs), typeof exportOnnx);");
    const lib = sh(process.execPath, ['check.mjs'], app);
    expect(lib.status, lib.stderr).toBe(0);
    expect(lib.stdout.trim()).toBe('{"input_1":[1,256,256,3]} function');
    return sharp(readFileSync(join(app, 'mask.png'))).metadata().then((m) => {
      expect([m.width, m.height]).toEqual([512, 512]);
    });
  }, 300_000);
});
