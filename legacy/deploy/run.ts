import { resolve } from 'node:path';
import type { Stacks } from '../../lib/config/load';
import { lintAssets } from '../lint-assets';
import { remoteCommand } from '../remote/script';
import { ExitCode } from '../shared/exit-codes';
import { consoleOutput, type Output, reportFailure } from '../shared/output';
import { type PlanSection, planExitCode, renderPlan } from '../shared/plan';
import { redactOutput } from '../shared/redact-output';
import { RemoteSession, type SessionStats } from '../shared/ssh-session';
import { UserError } from '../shared/user-error';
import { applyDeploy } from './apply-deploy';
import { applyRename } from './apply-rename';
import type { DeployOptions } from './commands';
import { type DeploySettings, type LocalFile, readLocalFiles } from './desired';
import {
  engineProblemText,
  lockAndObserve,
  lockNote,
  lockOwner,
  observeUnlocked,
  releaseCall,
  remoteContext,
} from './lock';
import type { ObservedState } from './observed';
import { planDeploy, planRename } from './plan';
import { deploySection, renameSection } from './plan-output';
import { loadSettings, settingsFrom } from './settings';
import { printStatus } from './status';

type CommandName = 'rename' | 'deploy' | 'status';

/** The config narrowed once, at the command's entry: dev.yaml and prod.yaml read and validated once per run. */
export function settingsFor(options: DeployOptions, stacks?: Stacks): DeploySettings {
  const settings = stacks ? settingsFrom(stacks) : loadSettings(resolve(options.configDir));
  if (options.readyTimeout === undefined) return settings;
  const seconds = Number(options.readyTimeout);
  if (!Number.isInteger(seconds) || seconds < 1) throw new UserError('--ready-timeout takes whole seconds (≥ 1)');
  return { ...settings, readyTimeoutSeconds: seconds };
}

export async function openSession(
  settings: DeploySettings,
  options: DeployOptions,
  out: Output,
  stats: SessionStats,
): Promise<RemoteSession> {
  out.progress(`connecting to ${settings.target.user}@${settings.target.host}:${settings.target.port}`);
  return RemoteSession.open(
    {
      ...settings.target,
      identity: options.identity,
      knownHostsFile: options.knownHosts,
      acceptNewHostKey: options.acceptNewHostKey,
    },
    stats,
  );
}

/** The NAS's section of a plan: rename's steps while the old layout is there, else deploy's. */
export function nasPlanSections(
  settings: DeploySettings,
  files: readonly LocalFile[],
  observed: ObservedState,
): PlanSection[] {
  const engine = engineProblemText(observed, settings);
  if (engine) return [{ title: 'legacy Alloy (deploy)', items: [], notes: [engine], exitCode: ExitCode.unchecked }];
  const rename = planRename(settings.layout, observed);
  if (rename.actions.length > 0 || rename.blockers.length > 0) return [renameSection(rename)];
  const deploy = planDeploy({ layout: settings.layout, files, container: settings.container }, observed);
  return [deploySection(deploy, settings, lockNote(observed.lock))];
}

/** Test-only switch (see legacy/remote/alloy-legacy.sh): cut the connection after that many deploy steps. */
function stopAfterStep(): number | undefined {
  const value = process.env.LEGACY_DEPLOY_TEST_STOP_AFTER_STEP;
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

export async function runDeployCommand(name: CommandName, options: DeployOptions): Promise<number> {
  const out = consoleOutput(options.json === true);
  const stats: SessionStats = { connections: 0, commands: 0, bytesUploaded: 0 };
  let session: RemoteSession | undefined;
  try {
    const settings = settingsFor(options);
    const files = name === 'rename' ? [] : readLocalFiles(resolve(options.assets));
    // Lint before connecting: a config the linter refuses never reaches the NAS.
    if (name === 'deploy') {
      for (const w of lintAssets(resolve(options.assets), files, settings.container).warnings) {
        out.warn(w);
      }
    }
    session = await openSession(settings, options, out, stats);
    if (name === 'status') return printStatus(out, settings, files, await observeUnlocked(session, settings), stats);
    if (options.dryRun) {
      // A dry run is a plan: it takes no lock and says when someone holds it.
      const observed = await observeUnlocked(session, settings);
      const notes = lockNote(observed.lock);
      if (observed.engineProblem !== null) return printPlan(out, nasPlanSections(settings, files, observed), stats);
      const section =
        name === 'rename'
          ? { ...renameSection(planRename(settings.layout, observed)), notes }
          : deploySection(
              planDeploy({ layout: settings.layout, files, container: settings.container }, observed),
              settings,
              notes,
            );
      return printPlan(out, [section], stats);
    }
    const observed = await lockAndObserve(session, settings, {
      owner: lockOwner(),
      force: options.forceUnlock === true,
      out,
    });
    const release = () => session?.run(remoteCommand(remoteContext(settings), [releaseCall]));
    const engine = engineProblemText(observed, settings);
    if (engine) {
      await release();
      throw new UserError(engine);
    }
    if (name === 'rename') {
      const plan = planRename(settings.layout, observed);
      const sections = [renameSection(plan)];
      if (plan.blockers.length > 0 || plan.actions.length === 0) {
        await release();
        if (plan.blockers.length > 0) throw new UserError(plan.blockers.join('\n'));
        return printPlan(out, sections, stats);
      }
      process.stderr.write(redactOutput(renderPlan(sections, false)));
      await applyRename(session, settings, plan, out);
      out.text(
        `renamed: ${settings.layout.container} runs from ${settings.layout.configDir} and ${settings.layout.dataDir}`,
      );
      out.result({ ok: true, changed: true, sections, stats });
      return ExitCode.ok;
    }
    const plan = planDeploy({ layout: settings.layout, files, container: settings.container }, observed);
    const sections = [deploySection(plan, settings)];
    if (plan.blockers.length > 0 || plan.steps.length === 0) {
      await release();
      if (plan.blockers.length > 0) throw new UserError(plan.blockers.join('\n'));
      out.text('alloy-legacy is up to date');
      out.result({ ok: true, changed: false, steps: [], sections, stats });
      return ExitCode.ok;
    }
    process.stderr.write(redactOutput(renderPlan(sections, false)));
    await applyDeploy({ session, settings, files, out, stopAfterStep: stopAfterStep() }, observed, plan);
    out.text(
      `deployed: ${settings.layout.container} runs ${settings.container.image}, config ${plan.desiredHash.slice(0, 12)} (alloy_config_hash verified)`,
    );
    out.result({
      ok: true,
      changed: true,
      steps: plan.steps.map((st) => st.kind),
      sections,
      configHash: plan.desiredHash,
      stats,
    });
    return ExitCode.ok;
  } catch (e) {
    return reportFailure(options.json === true, e, { stats });
  } finally {
    session?.close();
  }
}

export function printPlan(out: Output, sections: readonly PlanSection[], stats: SessionStats): number {
  const code = planExitCode(sections);
  out.text(renderPlan(sections, out.color));
  // ok: the plan could be made in full; incomplete or unchecked sections say it could not (as dns --json does).
  const ok = code === ExitCode.ok || code === ExitCode.changesPending;
  out.result({ ok, changes: code !== ExitCode.ok, exitCode: code, sections, stats });
  return code;
}
