/**
 * The stand-in Alloy image: busybox with a shell entrypoint that answers as Alloy does on the paths legacy-deploy
 * uses (`run`, `validate`, /-/ready, /-/reload, /metrics with alloy_config_hash). It is NOT Grafana Alloy: it cannot
 * parse Alloy syntax (see the entrypoint's comment). The tests' host and `legacy-deploy sandbox` build it here.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram } from './programs';

export const stubImage = 'localhost/alloy-stub';

/*
 * The stand-in Alloy image's entrypoint, held to upstream grafana/alloy (internal/alloycli): `run <path> [flags]`
 * and `validate [flags] <path>`. validate takes exactly one path (cobra.ExactArgs(1)) and the flags
 * --stability.level, --feature.community-components.enabled, --config.format (others are "unknown flag"), prints
 * its diagnostics on stderr and exits 1 on any error (main.go exits 1 when the command returns one), 0 when valid.
 * The stub cannot parse Alloy syntax: a file named FAIL_VALIDATE beside the config stands for a config Alloy
 * rejects (its content is the diagnostic printed), a folder without *.alloy file is rejected as upstream does.
 */
const stubEntrypoint = `#!/bin/sh
# Stand-in for grafana/alloy in tests: run <config dir> --server.http.listen-addr=HOST:PORT --storage.path=DIR,
# or validate [flags] <config dir>
if [ "$1" = validate ]; then
  shift
  paths=0
  for arg in "$@"; do
    case "$arg" in
      --stability.level=* | --feature.community-components.enabled | --feature.community-components.enabled=* | --config.format=*) ;;
      -*) echo "Error: unknown flag: $arg" >&2; exit 1 ;;
      *) paths=$((paths + 1)); dir=$arg ;;
    esac
  done
  [ "$paths" = 1 ] || { echo "Error: accepts 1 arg(s), received $paths" >&2; exit 1; }
  [ -e "$dir" ] || { echo "Error: encountered errors during validation: stat $dir: no such file or directory" >&2; exit 1; }
  if [ -e "$dir/FAIL_VALIDATE" ]; then cat "$dir/FAIL_VALIDATE" >&2; echo "Error: validation failed" >&2; exit 1; fi
  [ -n "$(/bin/alloy-files "$dir")" ] || { echo "Error: validation failed: no .alloy files in $dir" >&2; exit 1; }
  exit 0
fi
[ "$1" = run ] || { echo "alloy-stub: expected 'run' or 'validate', got '$1'" >&2; exit 64; }
export CONFIG_DIR="$2"; shift 2
for arg in "$@"; do
  case "$arg" in
    --server.http.listen-addr=*) addr="\${arg#*=}" ;;
    --storage.path=*) export STORAGE="\${arg#*=}" ;;
  esac
done
port="\${addr##*:}"
[ -n "$port" ] && [ -n "$STORAGE" ] || { echo "alloy-stub: missing listen address or storage path" >&2; exit 64; }
rm -f "$STORAGE/last-load-failed"
echo "start" >> "$STORAGE/starts"
echo "$ALLOY_CENTRAL_OTLP_ENDPOINT" > "$STORAGE/central-endpoint"
/bin/load-config
echo "alloy-stub: listening on $addr, config $CONFIG_DIR, storage $STORAGE"
busybox nc -ll -p "$port" -e /bin/handler &
pid=$!
trap 'kill $pid; exit 0' TERM INT
wait $pid
`;

/** The *.alloy files of a folder (hidden ones too, as Alloy's folder loading reads them), in byte order of names. */
const stubAlloyFiles = `#!/bin/sh
ls -1a "$1" | grep '[.]alloy$' | LC_ALL=C sort | while IFS= read -r n; do [ -f "$1/$n" ] && printf '%s\\n' "$1/$n"; done
`;

/**
 * Records which config the stub "runs", as Alloy's alloy_config_hash: SHA-256 over the *.alloy files' contents
 * concatenated in name order (lib/alloy/config-hash.ts), written to $STORAGE/loaded-config.
 */
const stubLoadConfig = `#!/bin/sh
/bin/alloy-files "$CONFIG_DIR" | while IFS= read -r f; do cat "$f"; done | sha256sum | cut -d' ' -f1 > "$STORAGE/loaded-config"
`;

/**
 * One HTTP request per connection (busybox nc -e); marker files in the config folder make it fail on purpose.
 * /metrics serves alloy_config_hash{cluster_name="",sha256=...} of the last successful load (labels as upstream's
 * internal/alloycli config metrics, ConstLabels cluster_name) and alloy_config_last_load_successful;
 * a rejected reload reports the attempted files' hash and sets the latter to 0, as Alloy does (upstream InstrumentConfig; seen on the real Alloy in test/legacy/deploy-real-alloy.test.ts).
 */
const stubHandler = `#!/bin/sh
cr=$(printf '\\r')
read -r method path rest
while read -r line; do case "$line" in "" | "$cr") break ;; esac; done
respond() { printf 'HTTP/1.1 %s\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$1" "\${#2}" "$2"; }
case "$method $path" in
  "GET /-/ready")
    if [ -e "$CONFIG_DIR/FAIL_READY" ]; then respond '503 Service Unavailable' 'Alloy is not ready.'
    else respond '200 OK' 'Alloy is ready.'; fi ;;
  "GET /metrics")
    hash=$(cat "$STORAGE/loaded-config" 2>/dev/null)
    ok=1; [ -e "$STORAGE/last-load-failed" ] && ok=0
    [ -e "$CONFIG_DIR/WRONG_HASH" ] && hash=0000000000000000000000000000000000000000000000000000000000000000
    respond '200 OK' "# TYPE alloy_config_hash gauge
alloy_config_hash{cluster_name=\\"\\",sha256=\\"$hash\\"} 1
# TYPE alloy_config_last_load_successful gauge
alloy_config_last_load_successful $ok
" ;;
  "POST /-/reload")
    if [ -e "$CONFIG_DIR/FAIL_RELOAD" ]; then
      echo "alloy-stub: reload rejected" >&2
      /bin/load-config
      : > "$STORAGE/last-load-failed"
      respond '400 Bad Request' 'error during the initial load: FAIL_RELOAD marker'
    else /bin/load-config; rm -f "$STORAGE/last-load-failed"; echo reload >> "$STORAGE/reloads"; respond '200 OK' 'config reloaded'; fi ;;
  *) respond '404 Not Found' 'not found' ;;
esac
`;

/** Writes the stand-in image's file system into `root` and packs it as the tar `podman import` reads. */
export function buildStubImageTar(root: string, tar: string): void {
  for (const d of ['bin', 'etc/alloy', 'var/lib/alloy/data', 'tmp']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'bin/busybox'), readFileSync(findProgram('busybox') as string), { mode: 0o755 });
  for (const applet of [
    'sh',
    'cat',
    'sha256sum',
    'cut',
    'printf',
    'echo',
    'kill',
    'date',
    'ls',
    'grep',
    'sort',
    'rm',
  ]) {
    symlinkSync('busybox', join(root, 'bin', applet));
  }
  writeFileSync(join(root, 'bin/alloy'), stubEntrypoint, { mode: 0o755 });
  writeFileSync(join(root, 'bin/load-config'), stubLoadConfig, { mode: 0o755 });
  writeFileSync(join(root, 'bin/alloy-files'), stubAlloyFiles, { mode: 0o755 });
  writeFileSync(join(root, 'bin/handler'), stubHandler, { mode: 0o755 });
  execFileSync('tar', ['-C', root, '-cf', tar, '.']);
}
