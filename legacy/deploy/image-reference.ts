/**
 * Docker image references in their normalized form, as Docker itself compares them (distribution/reference,
 * `ParseNormalizedNamed` and `TagNameOnly`): a name without a registry is on docker.io, a one-part docker.io name
 * is under `library/`, `index.docker.io` is docker.io, and a name without tag or digest means `:latest`. Engines
 * report the normalized form (podman's `docker inspect` shows `docker.io/grafana/alloy:v1.10.1` for a container
 * created from `grafana/alloy:v1.10.1`), so two spellings of one image must compare equal.
 */
export function normalizeImageReference(reference: string): string {
  let name = reference;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  // a tag is after the last ':' that comes after the last '/' (a registry's :port comes before a '/')
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    suffix = `${name.slice(colon)}${suffix}`;
    name = name.slice(0, colon);
  } else if (suffix === '') suffix = ':latest';
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return `${registry}/${path}${suffix}`;
}

/** Whether two references name the same image (see normalizeImageReference). */
export function sameImage(a: string, b: string): boolean {
  return normalizeImageReference(a) === normalizeImageReference(b);
}
