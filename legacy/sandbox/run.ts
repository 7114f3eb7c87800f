import { consoleOutput } from '../shared/output';
import { rehearsal, sandboxDown, sandboxLayout, sandboxStatus, sandboxUp, verifyInSandbox } from './sandbox';

export interface SandboxOptions {
  readonly configDir: string;
  readonly json?: boolean;
  readonly dir?: string;
  readonly realAlloy?: boolean;
}

export const defaultSandboxDir = '.sandbox';

export async function runSandboxCommand(name: 'up' | 'status' | 'down', options: SandboxOptions): Promise<number> {
  const out = consoleOutput(options.json === true);
  const dir = options.dir ?? defaultSandboxDir;
  switch (name) {
    case 'up': {
      const up = await sandboxUp({
        dir,
        sourceConfigDir: options.configDir,
        progress: out.progress,
        realAlloy: options.realAlloy,
      });
      const l = up.layout;
      const s = up.status;
      const lines = [
        `sandbox NAS running in ${l.dir}`,
        `  ssh        ${s.user}@127.0.0.1:${s.sshPort} (its own host key, pinned in ${l.knownHosts}; key ${l.identity})`,
        `  docker     podman, the deploy user's DOCKER_HOST; NAS rootDir ${up.rootDir}`,
        `  image      ${up.image.reference}: ${up.image.label}`,
        `  container  alloy (pre-refactor: alloy-config, alloy-data with a WAL and positions) on 127.0.0.1:${s.httpPort}`,
        `  unbound    127.0.0.1:${s.unboundPort} (dns unbound's file backend over SSH, include ${up.unboundInclude})`,
        `  config     ${l.configDir} (dev.yaml, prod.yaml, known_hosts, id_ed25519)`,
        '',
        'the rehearsal, from the project folder:',
        ...rehearsal(l).map((c) => `  ${c}`),
        '  (plan exits 4: its Cloudflare section is not checked, the sandbox has no Cloudflare; `dns cloudflare` is left out)',
        '',
        'verify in the sandbox:',
        ...verifyInSandbox.map((v) => `  ${v}`),
        '',
        `stop it: npx legacy-deploy sandbox down ${dir}`,
      ];
      out.text(lines.join('\n'));
      out.result({ ok: true, ...s, rehearsal: rehearsal(l), verify: verifyInSandbox });
      return 0;
    }
    case 'status': {
      const s = sandboxStatus(dir);
      if (s.state === 'absent') out.text(`no sandbox in ${s.dir}`);
      else {
        out.text(
          `sandbox in ${s.dir}: ${s.state}${s.state === 'stale' ? ` (run: legacy-deploy sandbox down ${dir})` : ''}`,
        );
        for (const p of s.processes)
          out.text(`  ${p.name.padEnd(16)} pid ${p.pid} ${p.running ? 'running' : 'not running'}`);
        if (s.user) out.text(`  ssh              ${s.user}@127.0.0.1:${s.sshPort}`);
        if (s.image) out.text(`  image            ${s.image.reference} (${s.image.label})`);
        if (s.configDir) out.text(`  config           ${s.configDir}`);
      }
      out.result({ ok: s.state === 'running', ...s });
      return s.state === 'running' ? 0 : 1;
    }
    case 'down': {
      const removed = await sandboxDown(dir);
      out.text(
        removed
          ? `sandbox in ${sandboxLayout(dir).dir} stopped and removed`
          : `no sandbox in ${sandboxLayout(dir).dir}: nothing to do`,
      );
      out.result({ ok: true, removed });
      return 0;
    }
  }
}
