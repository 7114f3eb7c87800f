/** Name arithmetic shared by the DNS backends; all names are compared lower-case without a trailing dot. */

export function normalizeName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

/** `alloy-legacy` + `tobiash.net` → `alloy-legacy.tobiash.net`; `@` is the apex; an FQDN inside the zone stays. */
export function recordFqdn(record: string, zone: string): string {
  const r = normalizeName(record);
  const z = normalizeName(zone);
  if (r === '@' || r === z) return z;
  if (r.endsWith(`.${z}`)) return r;
  return `${r}.${z}`;
}

/** `alloy.tobiash.net` → host `alloy`, domain `tobiash.net` (OPNsense stores overrides split this way). */
export function splitHostname(fqdn: string): { host: string; domain: string } {
  const name = normalizeName(fqdn);
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) throw new Error(`"${fqdn}" has no domain part to split off`);
  return { host: name.slice(0, dot), domain: name.slice(dot + 1) };
}
