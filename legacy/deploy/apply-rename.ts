import { type RemoteCall, remoteCommand, stepOutputs } from '../remote/script';
import type { Output } from '../shared/output';
import type { RemoteSession } from '../shared/ssh-session';
import { UserError } from '../shared/user-error';
import type { DeploySettings } from './desired';
import { releaseCall, remoteContext } from './lock';
import type { RenameAction, RenamedContainer, RenamePlan } from './plan';

/** `docker create` arguments for the renamed container (its entrypoint list split as docker runs it). */
export function createRenamedArgs(c: RenamedContainer): string[] {
  return [
    '--name',
    c.name,
    '--network',
    c.network,
    '--restart',
    c.restart,
    ...c.binds.flatMap((b) => ['-v', b]),
    ...c.env.flatMap((e) => ['-e', e]),
    ...(c.user ? ['--user', c.user] : []),
    ...Object.entries(c.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    // --entrypoint takes one word; the rest of an entrypoint list goes before the command, as docker would run it.
    ...(c.entrypoint.length > 0 ? ['--entrypoint', c.entrypoint[0]] : []),
    c.image,
    ...c.entrypoint.slice(1),
    ...c.args,
  ];
}

/** The executors of the rename steps: each the remote call(s) doing exactly that step. */
function callsFor(a: RenameAction, s: DeploySettings): RemoteCall[] {
  switch (a.kind) {
    case 'stop-container':
      return [{ step: 'stop_container', args: [a.name] }];
    case 'move-dir':
      return [{ step: 'move_dir', args: [a.from, a.to] }];
    case 'create-renamed-container':
      return [{ step: 'create_container', args: createRenamedArgs(a.container) }];
    case 'start-container':
      return [
        { step: 'start_container', args: [a.name] },
        { step: 'wait_ready', args: [String(s.readyTimeoutSeconds)] },
      ];
    case 'remove-container':
      return [{ step: 'remove_container', args: [a.name] }];
  }
}

function describe(a: RenameAction): string {
  switch (a.kind) {
    case 'stop-container':
      return `stopping ${a.name}`;
    case 'move-dir':
      return `moving ${a.from}`;
    case 'create-renamed-container':
      return `creating ${a.container.name}`;
    case 'start-container':
      return `starting ${a.name} and waiting for /-/ready`;
    case 'remove-container':
      return `removing ${a.name}`;
  }
}

/**
 * Runs the rename steps in order, in one exec with the release, under the lock `lockAndObserve` took. A failing
 * step stops the run with what was done so far left in place: every step is planned from what exists, so running
 * `rename` again resumes.
 */
export async function applyRename(session: RemoteSession, settings: DeploySettings, plan: RenamePlan, out: Output) {
  const owners = plan.actions.flatMap((a) => callsFor(a, settings).map(() => a));
  const calls = plan.actions.flatMap((a) => callsFor(a, settings));
  const context = remoteContext(settings);
  const r = await session.run(remoteCommand(context, [...calls, releaseCall]));
  const outputs = stepOutputs(r.stdout);
  for (const [i, action] of owners.entries()) {
    const o = outputs[i];
    if (o?.status === 0) {
      // an action of several calls (start, then wait for /-/ready) is done after its last one: one line each
      if (owners[i + 1] !== action) out.progress(`done: ${describe(action)}`);
      continue;
    }
    if (!o || o.status === null) {
      throw new UserError(`lost the connection while ${describe(action)}; run rename again: it resumes from there`);
    }
    const said = [...o.output.split('\n'), ...r.stderr.split('\n')]
      .filter((l) => l.trim() !== '' && !l.startsWith('@@'))
      .slice(-5)
      .join(' / ');
    const showLogs = action.kind === 'start-container';
    const after = await session.run(
      remoteCommand(context, [
        ...(showLogs ? [{ step: 'logs' as const, args: [settings.layout.container] }] : []),
        releaseCall,
      ]),
    );
    const logs = showLogs ? (stepOutputs(after.stdout)[0]?.output ?? '').split('\n').filter((l) => l !== '') : [];
    throw new UserError(
      `${describe(action)} failed (${said || `exit status ${o.status}`}); the steps before it are done and kept: fix the cause and run rename again`,
      1,
      logs.map((l) => `  ${l}`),
    );
  }
}
