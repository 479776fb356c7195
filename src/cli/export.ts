import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { SepconvError } from '../errors.js';
import { writeSepconv } from '../format/index.js';
import { graphStats } from '../graph/stats.js';
import { ZOO } from '../zoo/index.js';
import { zooOptions, type ZooFlagValues } from './model-arg.js';
import { addZooFlags } from './zoo-flags.js';

const DTYPES = ['float32', 'float16', 'int8', 'uint8'] as const;

/** `sepconv export <zoo-name> [options] -o file.sepconv`. */
export function exportCommand(): Command {
  const cmd = new Command('export')
    .description('build a zoo model (seeded random weights) and write it as a .sepconv file')
    .argument('<model>', `zoo model: ${Object.keys(ZOO).join(', ')}`)
    .requiredOption('-o, --output <file>', 'where to write the .sepconv file')
    .option('--dtype <dtype>', `weight storage: ${DTYPES.join(', ')}`, 'float32')
    .option('--json', 'print { file, bytes, params, macs } as JSON');
  addZooFlags(cmd);
  cmd.addHelpText('after', '\nExamples:\n  $ sepconv export mobilenet_v2 -o mbv2.sepconv\n  $ sepconv export mobilenet_seg --resolution 256 --dtype float16 -o seg.sepconv');
  return cmd.action(async (model: string, opts: ZooFlagValues & { output: string; dtype: string; json?: boolean }) => {
    if (!Object.prototype.hasOwnProperty.call(ZOO, model)) {
      throw new SepconvError(`unknown zoo model '${model}'; known models: ${Object.keys(ZOO).join(', ')}`, 'E_UNKNOWN_MODEL');
    }
    if (!(DTYPES as readonly string[]).includes(opts.dtype)) {
      throw new SepconvError(`--dtype must be one of ${DTYPES.join(', ')}, got '${opts.dtype}'`, 'E_USAGE');
    }
    const graph = ZOO[model].build(zooOptions(model, opts));
    const bytes = writeSepconv(graph, { dtype: opts.dtype as (typeof DTYPES)[number] });
    try {
      await writeFile(opts.output, bytes);
    } catch (e) {
      throw new SepconvError(`cannot write '${opts.output}': ${(e as Error).message}`, 'E_OUTPUT');
    }
    const stats = graphStats(graph);
    if (opts.json) console.log(JSON.stringify({ file: opts.output, bytes: bytes.length, params: stats.params, macs: stats.macs }));
    else console.log(`wrote ${opts.output}: ${graph.name}, ${(bytes.length / 2 ** 20).toFixed(2)} MiB (${opts.dtype}), ${stats.params.toLocaleString('en-US')} params, ${(stats.macs / 1e6).toFixed(1)}M MACs`);
  });
}
