import type { DeploySettings } from './desired';
import { UserError } from './errors';
import { releaseLockScript } from './lock';
import type { Output } from './output';
import type { RenameAction, RenamePlan } from './plan';
import { explainFailure, type RemoteSession, type RunResult } from './remote';
import {
  createRenamedContainerScript,
  logsScript,
  moveDirScript,
  removeContainerScript,
  startContainerScript,
  stopContainerScript,
  waitReadyScript,
} from './scripts';

/**
 * Runs the rename steps in order under the lock (taken by the caller with `lockScript`). A failing step stops the
 * run with what was done so far left in place: every step re-checks the state, so running `rename` again resumes.
 */
export async function applyRename(
  session: RemoteSession,
  settings: DeploySettings,
  plan: RenamePlan,
  lockScript: string,
  out: Output,
): Promise<void> {
  const { layout, dockerPath: docker } = settings;
  if (plan.blockers.length > 0) throw new UserError(plan.blockers.join('\n'));
  if (plan.actions.length === 0) return;
  const locked = await session.run(lockScript);
  if (locked.code !== 0) {
    const owner = /^owner=(.*)$/m.exec(locked.stdout)?.[1] ?? explainFailure(locked);
    throw new UserError(`could not take the lock ${layout.lockDir}: held by ${owner}; see --force-unlock`);
  }
  try {
    for (const action of plan.actions) await step(action);
  } finally {
    await session.run(releaseLockScript(layout)).catch(() => undefined);
  }

  async function must(r: Promise<RunResult>, what: string, logsOf?: string): Promise<void> {
    const result = await r;
    if (result.code === 0) return;
    const logs = logsOf ? (await session.run(logsScript(docker, logsOf))).stdout.trimEnd().split('\n') : [];
    throw new UserError(
      `${what} failed (${explainFailure(result)}); the steps before it are done and kept: fix the cause and run rename again`,
      1,
      logs.filter((l) => l !== '').map((l) => `  ${l}`),
    );
  }

  async function step(a: RenameAction): Promise<void> {
    switch (a.kind) {
      case 'stop-container':
        out.progress(`stopping ${a.name} (Alloy flushes its WAL on SIGTERM)`);
        return must(session.run(stopContainerScript(docker, a.name)), `stopping ${a.name}`);
      case 'move-dir':
        out.progress(`moving ${a.from} → ${a.to}`);
        return must(session.run(moveDirScript(a.from, a.to)), `moving ${a.from}`);
      case 'create-renamed-container':
        out.progress(`creating ${a.container.name} with ${layout.old.container}'s settings and the new paths`);
        return must(session.run(createRenamedContainerScript(docker, a.container)), `creating ${a.container.name}`);
      case 'start-container':
        out.progress(`starting ${a.name}, waiting up to ${settings.readyTimeoutSeconds} s for /-/ready`);
        await must(session.run(startContainerScript(docker, a.name)), `starting ${a.name}`, a.name);
        return must(
          session.run(waitReadyScript(settings.httpPort, settings.readyTimeoutSeconds)),
          `waiting for ${a.name} to be ready`,
          a.name,
        );
      case 'remove-container':
        out.progress(`removing the old container ${a.name}`);
        return must(session.run(removeContainerScript(docker, a.name)), `removing ${a.name}`);
    }
  }
}
