/** Alloy release names (`v1.10.1`): parsing and ordering. */

/** [major, minor, patch] of `v1.10.1` or `1.10.1`; undefined when it is not such a name. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [0, 0, 0];
  const y = parseVersion(b) ?? [0, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `1.10.1` → `v1.10.1`, as releases are named and messages print them. */
export function releaseName(text: string): string {
  const v = parseVersion(text);
  return v ? `v${v.join('.')}` : text;
}
