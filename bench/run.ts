/**
 * npm run bench [-- <suite> [suite options]]
 *   kernels (default)  every kernel on MobileNet/ShuffleNet layer shapes, vs in-run ceilings
 *   models             end-to-end zoo models at 224x224 through Session
 *   peers              sepconv vs tfjs-wasm and onnxruntime-web, same run, interleaved (bench/peers.ts)
 */
const suites: Record<string, string> = { kernels: './kernels.js', models: './models.js', peers: './peers.js' };
const [suite = 'kernels', ...rest] = process.argv.slice(2);
if (!(suite in suites)) {
  console.error(`unknown bench suite '${suite}'; available: ${Object.keys(suites).join(', ')}`);
  process.exit(1);
}
process.argv = [process.argv[0], process.argv[1], ...rest];
await import(suites[suite]);
