import { spawnSync } from 'node:child_process';

export interface Measurement {
  /** Median wall time in seconds. */
  readonly seconds: number;
  /** Largest peak RSS over the runs, in MB (GNU time's %M). */
  readonly peakRssMb: number;
}

/** Runs a command `runs` times under /usr/bin/time and returns the median wall time and the peak RSS. */
export function measure(command: string[], runs = 7, cwd = process.cwd()): Measurement {
  const seconds: number[] = [];
  let peakKb = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...command], { cwd, encoding: 'utf8' });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (r.status !== 0) throw new Error(`${command.join(' ')} failed: ${r.stderr}`);
    peakKb = Math.max(peakKb, Number(r.stderr.trim().split('\n').pop()));
  }
  seconds.sort((a, b) => a - b);
  return { seconds: seconds[Math.floor(runs / 2)], peakRssMb: peakKb / 1024 };
}

export function report(name: string, m: Measurement, floor?: Measurement): void {
  const ratio = floor ? `  ratio ${(m.seconds / floor.seconds).toFixed(2)}×` : '';
  process.stdout.write(`${name.padEnd(44)} ${m.seconds.toFixed(3)} s  peak RSS ${m.peakRssMb.toFixed(0)} MB${ratio}\n`);
}
