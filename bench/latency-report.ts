import { median } from './measure';
import type { SshdCounts } from './sshd-log';

/*
 * The verdicts of the legacy-deploy latency benchmark against issue #10's targets, and their printout. Pure, so
 * the rules themselves are unit-tested (test/bench/latency-report.test.ts).
 */

/** Ansible as installed (no pipelining), and Ansible with pipelining, the tuning its docs recommend first. */
export const peers = ['Ansible', 'Ansible+pipelining'] as const;
export type PeerName = (typeof peers)[number];
export const contenders = ['shell floor', 'legacy-deploy', ...peers] as const;
export type ContenderName = (typeof contenders)[number];

export interface Runs {
  readonly seconds: number[];
  /** What sshd logged during each run. */
  readonly counts: SshdCounts[];
}

export interface CaseResult {
  readonly runs: Readonly<Record<ContenderName, Runs>>;
  /** Per legacy-deploy run, the run times of the validation containers seen (usually none or one). */
  readonly validation: readonly (readonly number[])[];
}

export interface Judgement {
  readonly medians: Readonly<Record<ContenderName, number>>;
  /** Median over runs of the validation containers' summed run time; 0 when none ran. */
  readonly validationSeconds: number;
  readonly oursOverFloor: number;
  readonly oursWithoutValidationOverFloor: number;
  /** Each peer's median over legacy-deploy's. */
  readonly peerOverOurs: Readonly<Record<PeerName, number>>;
  /** Every legacy-deploy run used exactly one SSH connection. */
  readonly oneConnection: boolean;
  /** Every legacy-deploy run made ≤ 2 execs, plus one in a run that ran a validation container. */
  readonly execsWithinTarget: boolean;
  readonly floorTargetMet: boolean;
  /** ≥ 10× faster than every peer. */
  readonly peerTargetMet: boolean;
}

export const targets = { floorRatio: 1.2, peerRatio: 10, execs: 2 } as const;

export function judge(result: CaseResult): Judgement {
  const medians = Object.fromEntries(contenders.map((n) => [n, median(result.runs[n].seconds)])) as Record<
    ContenderName,
    number
  >;
  const ours = result.runs['legacy-deploy'];
  const perRun = result.validation.map((spans) => spans.reduce((a, b) => a + b, 0));
  const validationSeconds = perRun.length > 0 ? median(perRun) : 0;
  const oursOverFloor = medians['legacy-deploy'] / medians['shell floor'];
  const oursWithoutValidationOverFloor = (medians['legacy-deploy'] - validationSeconds) / medians['shell floor'];
  const peerOverOurs = Object.fromEntries(peers.map((p) => [p, medians[p] / medians['legacy-deploy']])) as Record<
    PeerName,
    number
  >;
  return {
    medians,
    validationSeconds,
    oursOverFloor,
    oursWithoutValidationOverFloor,
    peerOverOurs,
    oneConnection: ours.counts.every((k) => k.connections === 1),
    execsWithinTarget: ours.counts.every(
      (k, i) => k.execs <= targets.execs + ((result.validation[i]?.length ?? 0) > 0 ? 1 : 0),
    ),
    floorTargetMet: oursWithoutValidationOverFloor <= targets.floorRatio,
    peerTargetMet: peers.every((p) => peerOverOurs[p] >= targets.peerRatio),
  };
}

/** "1" when every run agrees, else "min–max". */
export function spread(xs: readonly number[]): string {
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function formatCase(title: string, result: CaseResult): string {
  const j = judge(result);
  const lines = [
    `${title} (medians of ${result.runs['shell floor'].seconds.length}; SSH connections / execs / sessions)`,
  ];
  for (const n of contenders) {
    const { seconds, counts } = result.runs[n];
    const range = `${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)}`;
    const sshd = (['connections', 'execs', 'sessions'] as const).map((k) => spread(counts.map((c) => c[k])));
    lines.push(`  ${n.padEnd(18)} ${j.medians[n].toFixed(3).padStart(7)} s (${range})   ${sshd.join(' / ')}`);
  }
  const seen = result.validation.map((spans) => spans.length);
  const ours = result.runs['legacy-deploy'].counts;
  lines.push(
    `  validation container: ${Math.max(0, ...seen) === 0 ? 'none seen' : `${spread(seen)} per run, ${j.validationSeconds.toFixed(3)} s (median)`}`,
    `  legacy-deploy / shell floor ${j.oursOverFloor.toFixed(2)}×, without the validation container ` +
      `${j.oursWithoutValidationOverFloor.toFixed(2)}× (target ≤ ${targets.floorRatio}×: ${verdict(j.floorTargetMet)})`,
    `  ${peers.map((p) => `${p} / legacy-deploy ${j.peerOverOurs[p].toFixed(1)}×`).join(', ')} ` +
      `(target ≥ ${targets.peerRatio}× for each: ${verdict(j.peerTargetMet)})`,
    `  legacy-deploy per run: ${spread(ours.map((k) => k.connections))} SSH connection(s) (target 1: ` +
      `${verdict(j.oneConnection)}), ${spread(ours.map((k) => k.execs))} remote exec(s) (target ≤ ${targets.execs}, ` +
      `plus 1 in a run with a validation container: ${verdict(j.execsWithinTarget)})`,
  );
  return `${lines.join('\n')}\n`;
}
