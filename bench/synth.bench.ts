// `npm run synth` against the floor of merely loading cdk8s-plus-28, measured in the same run.
// Targets (issue #2): ratio ≤ 3, peak RSS ≤ 200 MB.
import { spawnSync } from 'node:child_process';
import { measureInterleaved, report } from './measure';

spawnSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' }); // a warm build/, as after `npm ci`
// Interleaved, medians of 7: the issue's own way of measuring the ratio.
const { floor, synth, direct } = measureInterleaved({
  floor: ['node', '-e', "require('cdk8s-plus-28')"],
  synth: ['npm', 'run', '-s', 'synth'],
  direct: ['node', 'bin/synth.cjs'],
});
report('floor: node -e "require(\'cdk8s-plus-28\')"', floor);
report('npm run synth', synth, floor);
report('node bin/synth.cjs (without npm)', direct, floor);
const ok = synth.seconds / floor.seconds <= 3 && synth.peakRssMb <= 200;
process.stdout.write(`target ratio ≤ 3 and peak RSS ≤ 200 MB: ${ok ? 'met' : 'NOT met'}\n`);
