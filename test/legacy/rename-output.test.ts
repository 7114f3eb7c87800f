/**
 * rename's progress: one `done:` line per planned action (issue #16 §4: "starting alloy-legacy and waiting for
 * /-/ready" was printed twice, once per remote call of that action). The remote side is a session that answers each
 * call as the remote script frames it (@@step / @@done), so only applyRename's reporting is under test.
 */
import { applyRename } from '../../legacy/deploy/apply-rename';
import type { DeploySettings } from '../../legacy/deploy/desired';
import { layoutFor } from '../../legacy/deploy/layout';
import type { RenamePlan } from '../../legacy/deploy/plan';
import type { Output } from '../../legacy/shared/output';
import type { RemoteSession } from '../../legacy/shared/ssh-session';

const layout = layoutFor('/volume2/docker');
const settings = {
  target: { host: 'nas', port: 22, user: 'deployer' },
  dockerPath: 'docker',
  httpPort: 9091,
  readyTimeoutSeconds: 10,
  layout,
  container: {
    name: 'alloy-legacy',
    image: 'grafana/alloy:v1.10.1',
    network: 'host',
    restart: 'always',
    binds: [],
    env: {},
    args: [],
  },
} satisfies DeploySettings;

/** A session whose every step succeeds: it frames the steps named in the command's arguments. */
function succeedingSession(): RemoteSession {
  const steps = [
    'stop_container',
    'move_dir',
    'create_container',
    'start_container',
    'wait_ready',
    'remove_container',
    'release',
  ];
  return {
    run: async (command: string) => {
      const called = command
        .split(/\s+/)
        .map((w) => w.replace(/^'|'$/g, ''))
        .filter((w) => steps.includes(w));
      return { stdout: called.map((s) => `@@step ${s}\n@@done ${s} 0\n`).join(''), stderr: '', code: 0 };
    },
  } as unknown as RemoteSession;
}

test('every action of a rename reports done exactly once', async () => {
  const plan: RenamePlan = {
    blockers: [],
    actions: [
      { kind: 'stop-container', name: 'alloy' },
      { kind: 'move-dir', from: layout.old.configDir, to: layout.configDir },
      { kind: 'start-container', name: 'alloy-legacy' },
      { kind: 'remove-container', name: 'alloy' },
    ],
  } as RenamePlan;
  const lines: string[] = [];
  const out = {
    json: false,
    color: false,
    progress: (m: string) => lines.push(m),
    warn() {},
    text() {},
    result() {},
  } satisfies Output;
  await applyRename(succeedingSession(), settings, plan, out);
  expect(lines).toEqual([
    'done: stopping alloy',
    `done: moving ${layout.old.configDir}`,
    'done: starting alloy-legacy and waiting for /-/ready',
    'done: removing alloy',
  ]);
});
