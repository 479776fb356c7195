import type { Command } from 'commander';

/** The zoo-model flags shared by `info` and `export`. */
export function addZooFlags(cmd: Command): Command {
  return cmd
    .option('--width <w>', 'zoo: width multiplier (alpha / scale)')
    .option('--resolution <r>', 'zoo: input resolution (square)')
    .option('--groups <g>', 'zoo: ShuffleNet v1 groups (1, 2, 3, 4, 8)')
    .option('--dilated', 'zoo: MobileNetV3 last stage with dilation 2 (output stride 16)')
    .option('--expansion <t>', 'zoo: MobileNetV2 expansion factor')
    .option('--classes <n>', 'zoo: classifier outputs / segmentation classes')
    .option('--backbone <name>', 'zoo: mobilenet_seg encoder (v1 or v2)')
    .option('--seed <n>', 'zoo: PRNG seed for the weights');
}
