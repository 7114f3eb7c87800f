import { spawnSync } from 'node:child_process';

export interface Measurement {
  /** Median wall time in seconds. */
  readonly seconds: number;
  /** Largest peak RSS over the runs, in MB (GNU time's %M). */
  readonly peakRssMb: number;
}

/** Runs a command `runs` times under /usr/bin/time and returns the median wall time and the peak RSS. */
export function measure(command: string[], runs = 7, cwd = process.cwd()): Measurement {
  return measureInterleaved({ command }, runs, cwd).command;
}

/**
 * Runs several commands `runs` times each, taking turns (a, b, c, a, b, c, ...), so that a machine whose speed
 * drifts during the run affects them alike; returns each one's median wall time and peak RSS.
 */
export function measureInterleaved<K extends string>(
  commands: Record<K, string[]>,
  runs = 7,
  cwd = process.cwd(),
): Record<K, Measurement> {
  const names = Object.keys(commands) as K[];
  const seconds = new Map<K, number[]>(names.map((n) => [n, []]));
  const peakKb = new Map<K, number>(names.map((n) => [n, 0]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const command = commands[name];
      const start = process.hrtime.bigint();
      const r = spawnSync('/usr/bin/time', ['-f', '%M', ...command], { cwd, encoding: 'utf8' });
      seconds.get(name)?.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (r.status !== 0) throw new Error(`${command.join(' ')} failed: ${r.stderr}`);
      peakKb.set(name, Math.max(peakKb.get(name) ?? 0, Number(r.stderr.trim().split('\n').pop())));
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { seconds: median(seconds.get(n) ?? []), peakRssMb: (peakKb.get(n) ?? 0) / 1024 }]),
  ) as Record<K, Measurement>;
}

export function report(name: string, m: Measurement, floor?: Measurement): void {
  const ratio = floor ? `  ratio ${(m.seconds / floor.seconds).toFixed(2)}×` : '';
  process.stdout.write(`${name.padEnd(44)} ${m.seconds.toFixed(3)} s  peak RSS ${m.peakRssMb.toFixed(0)} MB${ratio}\n`);
}

/** The middle value (the upper one of an even count). */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
