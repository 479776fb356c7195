import { Command } from 'commander';
import { detectFeatures, loadKernels } from '../kernels/loader.js';
import { KERNELS } from '../kernels/manifest.js';

/** `sepconv kernels [--json]`: the kernel manifest and which wasm build this engine loads. */
export function kernelsCommand(): Command {
  return new Command('kernels')
    .description('list the SIMD kernels, their tiles and references, and the wasm build this engine selects')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  $ sepconv kernels\n  $ sepconv kernels --json | jq ".kernels[].name"\n  $ node --experimental-wasm-relaxed-simd $(which sepconv) kernels   # Node 20: enable the relaxed build')
    .action(async (opts: { json?: boolean }) => {
      const features = detectFeatures();
      const k = await loadKernels();
      if (opts.json) {
        console.log(JSON.stringify({ features, variant: k.variant, kernels: KERNELS }, null, 2));
        return;
      }
      console.log(`wasm SIMD: ${features.simd ? 'yes' : 'no'}, relaxed SIMD: ${features.relaxedSimd ? 'yes' : 'no'} -> using the '${k.variant}' build`);
      console.log(`${KERNELS.length} kernels:`);
      for (const info of KERNELS) console.log(`  ${info.name.padEnd(28)} ${info.summary}`);
    });
}
