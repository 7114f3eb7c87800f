/**
 * Which Alloy release runs each pipeline folder of this project, read from the stack file that pins it: the central
 * folders (assets/alloy, assets/alloy_kubernetes) run prod.yaml's `alloy.version`, the NAS folder dev.yaml's
 * `alloyLegacy.version`. `alloy-lint` run in the project judges a folder by it unless `--alloy-version` is given, so
 * that it agrees with what synth and deploy judge by.
 */
import { dirname, join, resolve } from 'node:path';
import { type Context, main } from '../alloy-lint/cli/cli';
import { loadDevStack, loadProdStack } from './config/load';
import { ALLOY_DEFAULTS } from './defaults';

/** legacy-deploy's `--assets` default (legacy/deploy/commands.ts). */
const LEGACY_ASSETS_DIR = 'assets/alloy_legacy';

interface Pin {
  readonly stack: string;
  readonly key: string;
  readonly version: (file: string) => string;
}

const PROD: Pin = { stack: 'config/prod.yaml', key: 'alloy.version', version: (f) => loadProdStack(f).alloy.version };
const DEV: Pin = {
  stack: 'config/dev.yaml',
  key: 'alloyLegacy.version',
  version: (f) => loadDevStack(f).alloyLegacy.version,
};

const PINS: ReadonlyMap<string, Pin> = new Map([
  [ALLOY_DEFAULTS.assetsDir, PROD],
  [ALLOY_DEFAULTS.kubernetesAssetsDir, PROD],
  [LEGACY_ASSETS_DIR, DEV],
]);

/** The release that runs a path of the project at `root` (a pipeline folder or one of its files), if any. */
export function projectReleaseOf(root: string): NonNullable<Context['releaseOf']> {
  const versions = new Map<Pin, string>();
  return (path) => {
    const abs = resolve(path);
    for (const [dir, pin] of PINS) {
      const folder = join(root, dir);
      if (abs !== folder && dirname(abs) !== folder) continue;
      let version = versions.get(pin);
      if (version === undefined) {
        version = pin.version(join(root, pin.stack));
        versions.set(pin, version);
      }
      return { version, from: `${pin.stack}'s ${pin.key}` };
    }
    return undefined;
  };
}

/** `alloy-lint` as the project's bin runs it: judged by the project's pins (bin/alloy-lint.cjs). */
export function lintMain(argv: string[], root: string): void {
  main(argv, { releaseOf: projectReleaseOf(root) });
}
