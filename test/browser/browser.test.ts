import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeSepconv } from '../../src/format/index.js';
import { buildZooModel } from '../../src/zoo/index.js';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The library in a real browser: serves the package root on 127.0.0.1, opens
 * test/browser/smoke.html in headless Chromium, and checks the report it posts back.
 * Needs Chromium (Debian: apt-get install chromium; .ci/run installs it) or SEPCONV_CHROMIUM.
 */
const ROOT = resolve('.');
const MIME: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json',
};

function findChromium(): string {
  const candidates = [process.env.SEPCONV_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error('no Chromium found: install it (Debian: apt-get install chromium) or set SEPCONV_CHROMIUM to its path');
  return found;
}

let server: Server | undefined;
let browser: ChildProcess | undefined;
const profile = mkdtempSync(join(tmpdir(), 'sepconv-chromium-'));
afterAll(async () => {
  if (browser && browser.exitCode === null) {
    const exited = new Promise((ok) => browser!.once('exit', ok));
    // Chromium's helper processes share its process group: end them all.
    try {
      process.kill(-browser.pid!, 'SIGKILL');
    } catch {
      browser.kill('SIGKILL');
    }
    await exited;
  }
  server?.close();
  // Cleanup is best effort: a late-exiting helper process may still hold files for a moment.
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (e) {
    console.warn(`could not remove ${profile}: ${(e as Error).message}`);
  }
});

function serve(onResult: (body: string) => void): Promise<number> {
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.end('ok');
        onResult(body);
      });
      return;
    }
    const path = normalize(join(ROOT, decodeURIComponent((req.url ?? '/').split('?')[0])));
    if (!path.startsWith(ROOT) || !existsSync(path) || !statSync(path).isFile()) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', MIME[extname(path)] ?? 'application/octet-stream');
    res.end(readFileSync(path));
  });
  return new Promise((ok) => server!.listen(0, '127.0.0.1', () => ok((server!.address() as { port: number }).port)));
}

describe('in headless Chromium', () => {
  it('loads the ESM entry and both wasm builds; kernels and Session match their references', async () => {
    const chromium = findChromium();
    // A model for the page to fetch by URL (build/ is not committed).
    writeFileSync('build/browser-test-model.sepconv', writeSepconv(buildZooModel('mobilenet_seg', { width: 0.35, resolution: 64 }), { dtype: 'float16' }));
    let resolveReport!: (s: string) => void;
    const reported = new Promise<string>((ok) => (resolveReport = ok));
    const port = await serve(resolveReport);
    browser = spawn(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      `http://127.0.0.1:${port}/test/browser/smoke.html`,
    ], { stdio: 'ignore', detached: true });
    const timeout = new Promise<string>((_, fail) => setTimeout(() => fail(new Error('no report from the browser within 60 s')), 60_000));
    const report = JSON.parse(await Promise.race([reported, timeout]));
    expect(report.failure, report.failure).toBeUndefined();
    expect(report.features.simd).toBe(true);
    expect(report.auto).toBe(report.features.relaxedSimd ? 'relaxed' : 'simd');
    for (const v of ['simd', ...(report.features.relaxedSimd ? ['relaxed'] : [])]) {
      expect(report[v].variant).toBe(v);
      expect(report[v].gemm, `${v} gemm`).toBeLessThan(1e-5);
      expect(report[v].dwconv, `${v} dwconv`).toBeLessThan(1e-5);
      expect(report[v].error).toMatch(/^BufferError: f32-vunary-x8: pointer 'x' = 0/);
    }
    expect(report.session.fromGraph).toBeLessThan(1e-4);
    expect(report.session.fromUrl.outputs).toEqual(['logits']);
    expect(report.session.fromUrl.shape).toEqual([1, 64, 64, 2]);
  }, 90_000);
});
