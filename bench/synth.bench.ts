// `npm run synth` against the floor of merely loading cdk8s-plus-28, measured in the same run, in both modes: the
// committed stack (one replica) and HA mode (3 replicas with an autoscaler), the latter from a scratch copy of the
// stack whose package.json runs the same bin/synth.cjs.
// Targets (issues #2, #12): ratio ≤ 3 in both modes, peak RSS ≤ 200 MB.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Measurement, measureInterleaved, report } from './measure';

const repo = resolve(__dirname, '..');
spawnSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' }); // a warm build/, as after `npm ci`

const ha = mkdtempSync(join(tmpdir(), 'alloy-bench-ha-'));
try {
  cpSync(join(repo, 'config'), join(ha, 'config'), { recursive: true });
  cpSync(join(repo, 'assets'), join(ha, 'assets'), { recursive: true });
  const prod = join(ha, 'config/prod.yaml');
  const text = readFileSync(prod, 'utf8');
  if (!/^ {2}replicas: 1$/m.test(text)) throw new Error('config/prod.yaml has no "  replicas: 1" line');
  writeFileSync(
    prod,
    text.replace(/^ {2}replicas: 1$/m, '  replicas: 3\n  ha:\n    autoscaling:\n      maxReplicas: 6'),
  );
  writeFileSync(
    join(ha, 'package.json'),
    JSON.stringify({ private: true, scripts: { synth: `node ${join(repo, 'bin/synth.cjs')}` } }),
  );

  // Interleaved, medians of 7: the issues' own way of measuring the ratio. `npm --prefix` runs the HA copy's
  // script in that folder, with the same npm start-up as the others.
  const { floor, single, haMode, direct } = measureInterleaved({
    floor: ['node', '-e', "require('cdk8s-plus-28')"],
    single: ['npm', 'run', '-s', 'synth'],
    haMode: ['npm', '--prefix', ha, 'run', '-s', 'synth'],
    direct: ['node', 'bin/synth.cjs'],
  });
  report('floor: node -e "require(\'cdk8s-plus-28\')"', floor);
  report('npm run synth (one replica)', single, floor);
  report('npm run synth (HA mode, 3 replicas + HPA)', haMode, floor);
  report('node bin/synth.cjs (without npm)', direct, floor);
  const meets = (m: Measurement) => m.seconds / floor.seconds <= 3 && m.peakRssMb <= 200;
  const ok = meets(single) && meets(haMode);
  process.stdout.write(`target ratio ≤ 3 and peak RSS ≤ 200 MB in both modes: ${ok ? 'met' : 'NOT met'}\n`);
} finally {
  rmSync(ha, { recursive: true, force: true });
}
