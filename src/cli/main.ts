import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { SepconvError } from '../errors.js';
import { benchCommand } from './bench.js';
import { classifyCommand } from './classify.js';
import { convertCommand } from './convert.js';
import { exportCommand } from './export.js';
import { infoCommand } from './info.js';
import { kernelsCommand } from './kernels.js';
import { runCommand } from './run.js';
import { profileCommand } from './profile.js';
import { segmentCommand } from './segment.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

const program = new Command('sepconv')
  .description('WebAssembly SIMD inference for mobile CNNs (MobileNetV1/V2/V3, ShuffleNet, MobileNet segmentation)')
  .version(pkg.version)
  .option('--verbose', 'print stack traces on errors')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(infoCommand());
program.addCommand(convertCommand());
program.addCommand(exportCommand());
program.addCommand(kernelsCommand());
program.addCommand(profileCommand());
program.addCommand(benchCommand());
program.addCommand(classifyCommand());
program.addCommand(runCommand());
program.addCommand(segmentCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 1;
  } else if (e instanceof SepconvError) {
    console.error(`sepconv: ${e.message}`);
    if (program.opts().verbose) console.error(e.stack);
    process.exitCode = 1;
  } else {
    console.error(`sepconv: internal error: ${(e as Error).message}`);
    if (program.opts().verbose) console.error((e as Error).stack);
    process.exitCode = 2;
  }
}
