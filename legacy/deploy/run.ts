import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { ConfigError } from '../../lib/config/load';
import type { dnsPlanSections as DnsPlanSections } from '../dns/plan-sections';
import { lintAssets } from '../lint-assets';
import { applyDeploy, lockScriptFor } from './apply-deploy';
import { applyRename } from './apply-rename';
import type { DeployOptions } from './commands';
import { combinedChecksum, type DeploySettings, type LocalFile, readLocalFiles } from './desired';
import { UserError } from './errors';
import { describeLock } from './lock';
import { observeScript, parseObservation } from './observe';
import type { ObservedState } from './observed';
import { consoleOutput, type Output } from './output';
import { planDeploy, planRename } from './plan';
import { deploySection, type PlanSection, renameSection, renderPlan, sectionHasChanges } from './plan-output';
import { RemoteSession, type SessionStats } from './remote';
import { loadSettingsCached } from './settings-cache';
import { printStatus } from './status';

type CommandName = 'plan' | 'rename' | 'deploy' | 'status';

/** Exit status of `plan` (and of --dry-run) when there is something to change. */
export const EXIT_CHANGES = 2;

function settingsFor(options: DeployOptions): DeploySettings {
  const settings = loadSettingsCached(resolve(options.configDir));
  if (options.readyTimeout === undefined) return settings;
  const seconds = Number(options.readyTimeout);
  if (!Number.isInteger(seconds) || seconds < 1) throw new UserError('--ready-timeout takes whole seconds (≥ 1)');
  return { ...settings, readyTimeoutSeconds: seconds };
}

async function observe(
  session: RemoteSession,
  settings: DeploySettings,
  options: { probeReady: boolean; fresh: boolean; thenWait: boolean },
  whileRunning?: () => void,
): Promise<ObservedState> {
  const script = observeScript(settings, options);
  const r = options.thenWait
    ? await session.runThenWait(script, { whileRunning })
    : await session.run(script, { whileRunning });
  if (r.code === null) throw new UserError(`lost the connection to ${session.description} while looking around`);
  try {
    const observed = parseObservation(r.stdout, settings);
    session.stats.containersFrom = observed.containersSource;
    return observed;
  } catch (e) {
    throw new UserError(`${(e as Error).message}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
  }
}

function lockNotes(observed: ObservedState): string[] {
  if (!observed.lock) return [];
  const state =
    observed.lock.holderAlive === false ? 'stale: its SSH session has ended; the next run takes it over' : 'held';
  return [`lock ${state}: ${describeLock(observed.lock)}`];
}

/** Sections of the plan for the NAS; `plan` shows rename steps while the old layout is there, else deploy's. */
function nasPlanSections(
  settings: DeploySettings,
  files: readonly LocalFile[],
  observed: ObservedState,
): PlanSection[] {
  const rename = planRename(settings.layout, observed);
  const sections: PlanSection[] = [];
  if (rename.actions.length > 0 || rename.blockers.length > 0) sections.push(renameSection(rename));
  else {
    const deploy = planDeploy({ layout: settings.layout, files, container: settings.container }, observed);
    sections.push(deploySection(deploy, lockNotes(observed)));
  }
  return sections;
}

function lockOwner() {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers): keep $USER
  }
  return { owner: `${user}@${hostname()}`, pid: process.pid };
}

export async function runDeployCommand(name: CommandName, options: DeployOptions): Promise<number> {
  const out = consoleOutput(options.json === true);
  const stats: SessionStats = { connections: 0, commands: 0, bytesUploaded: 0 };
  let session: RemoteSession | undefined;
  try {
    const settings = settingsFor(options);
    const files = name === 'rename' ? [] : readLocalFiles(resolve(options.assets));
    out.progress(`connecting to ${settings.target.user}@${settings.target.host}:${settings.target.port}`);
    session = await RemoteSession.open(
      {
        ...settings.target,
        identity: options.identity,
        knownHostsFile: options.knownHosts,
        acceptNewHostKey: options.acceptNewHostKey,
      },
      stats,
    );
    // deploy lints while the NAS starts the exec and answers the observation (the lint takes a little longer);
    // the result counts only if there is something to deploy.
    let lint: { warnings: string[] } | { error: unknown } | undefined;
    const lintNow = () => {
      try {
        lint = lintAssets(resolve(options.assets), files, Object.keys(settings.container.env));
      } catch (error) {
        lint = { error };
      }
    };
    const changing = (name === 'deploy' || name === 'rename') && !options.dryRun;
    const observed = await observe(
      session,
      settings,
      {
        probeReady: name === 'status',
        // plan and status are for looking: they always ask docker (and so refresh what deploy may reuse).
        fresh: name === 'plan' || name === 'status',
        // the first step of a change goes into the observation's shell (see waiting-shell.ts)
        thenWait: changing,
      },
      name === 'deploy' ? lintNow : undefined,
    );
    switch (name) {
      case 'plan': {
        // Loaded here: deploy and status runs need none of the DNS code.
        const { dnsPlanSections } = require('../dns/plan-sections') as { dnsPlanSections: typeof DnsPlanSections };
        return printPlan(
          out,
          [
            ...nasPlanSections(settings, files, observed),
            ...(await dnsPlanSections({ configDir: options.configDir, session })),
          ],
          stats,
        );
      }
      case 'status':
        return printStatus(out, settings, files, observed, stats);
      case 'rename': {
        const plan = planRename(settings.layout, observed);
        const sections = [renameSection(plan)];
        if (plan.blockers.length > 0 && !options.dryRun) throw new UserError(plan.blockers.join('\n'));
        if (options.dryRun || plan.actions.length === 0) return printPlan(out, sections, stats);
        process.stderr.write(renderPlan(sections, false));
        const lockScript = lockScriptFor(
          { settings, owner: lockOwner(), forceUnlock: !!options.forceUnlock, out },
          observed,
        );
        await applyRename(session, settings, plan, lockScript, out);
        out.text(
          `renamed: ${settings.layout.container} runs from ${settings.layout.configDir} and ${settings.layout.dataDir}`,
        );
        out.result({ ok: true, changed: true, sections, stats });
        return 0;
      }
      case 'deploy': {
        const plan = planDeploy({ layout: settings.layout, files, container: settings.container }, observed);
        const sections = [deploySection(plan, lockNotes(observed))];
        // Lint before any change on the NAS (and for a dry run); a no-op redeploy needs no lint.
        if (plan.actions.length > 0 || options.dryRun) {
          if (!lint) lintNow();
          if (lint && 'error' in lint) throw lint.error;
          for (const w of lint?.warnings ?? []) out.warn(w);
        }
        if (options.dryRun || plan.actions.length === 0) {
          if (plan.blockers.length > 0 && !options.dryRun) throw new UserError(plan.blockers.join('\n'));
          return printPlan(out, sections, stats, options.dryRun ? undefined : 'alloy-legacy is up to date');
        }
        process.stderr.write(renderPlan(sections, false));
        await applyDeploy(
          { session, settings, files, out, owner: lockOwner(), forceUnlock: !!options.forceUnlock },
          observed,
          plan,
        );
        out.text(
          `deployed: ${settings.layout.container} runs ${settings.container.image}, config ${combinedChecksum(Object.fromEntries(files.map((f) => [f.name, f.sha256])))}`,
        );
        out.result({ ok: true, changed: true, sections, stats });
        return 0;
      }
    }
    return 1;
  } catch (e) {
    return reportError(out, e, stats);
  } finally {
    session?.close();
  }
}

function printPlan(out: Output, sections: PlanSection[], stats: SessionStats, upToDate?: string): number {
  const changes = sections.some(sectionHasChanges);
  if (upToDate && !changes) out.text(upToDate);
  else out.text(renderPlan(sections, out.color));
  out.result({ ok: true, changes, sections, stats });
  return changes ? EXIT_CHANGES : 0;
}

function reportError(out: Output, e: unknown, stats: SessionStats): number {
  let message: string;
  let details: readonly string[] = [];
  let code = 1;
  if (e instanceof UserError) {
    message = e.message;
    details = e.details;
    code = e.exitCode;
  } else if (e instanceof Error && e.name === 'ConfigError')
    message = `invalid configuration:\n${(e as ConfigError).message}`;
  else message = `unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  process.stderr.write(`legacy-deploy: ${message}\n${details.map((d) => `${d}\n`).join('')}`);
  out.result({ ok: false, error: message, details, stats });
  return code;
}
