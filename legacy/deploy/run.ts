import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { ConfigError } from '../../lib/config/load';
import type { dnsPlanSections as DnsPlanSections } from '../dns/plan-sections';
import { lintAssets } from '../lint-assets';
import { applyConfigOnlyFast, applyDeploy, lockScriptFor } from './apply-deploy';
import { applyRename } from './apply-rename';
import type { DeployOptions } from './commands';
import { combinedChecksum, type DeploySettings, type LocalFile, readLocalFiles } from './desired';
import { UserError } from './errors';
import { fastPathAllowed, observationDigest } from './fast-path';
import { describeLock } from './lock';
import { observeScript, parseObservation } from './observe';
import type { ObservedState } from './observed';
import { consoleOutput, type Output } from './output';
import { planDeploy, planRename } from './plan';
import { deploySection, type PlanSection, renameSection, renderPlan, sectionHasChanges } from './plan-output';
import { readRemembered, remember } from './remembered';
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
  probeReady = false,
  whileRunning?: () => void,
): Promise<{ observed: ObservedState; text: string }> {
  const r = await session.run(observeScript(settings, { probeReady }), { whileRunning });
  if (r.code === null) throw new UserError(`lost the connection to ${session.description} while looking around`);
  return { observed: parsed(r.stdout, settings, r.stderr), text: r.stdout };
}

function parsed(text: string, settings: DeploySettings, stderr = ''): ObservedState {
  try {
    return parseObservation(text, settings);
  } catch (e) {
    throw new UserError(`${(e as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
}

/** The observation the last deploy of this target left behind, if it still parses. */
function rememberedState(settings: DeploySettings): { observed: ObservedState; text: string } | null {
  const text = readRemembered(settings);
  if (text === null) return null;
  try {
    return { observed: parseObservation(text, settings), text };
  } catch {
    return null;
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
    // deploy lints while the NAS is busy answering the observation (docker inspect takes longer than the lint);
    // the result counts only if there is something to deploy.
    let lint: { warnings: string[] } | { error: unknown } | undefined;
    const lintNow = () => {
      try {
        lint = lintAssets(resolve(options.assets), Object.keys(settings.container.env));
      } catch (error) {
        lint = { error };
      }
    };
    const owner = lockOwner();
    const desired = { layout: settings.layout, files, container: settings.container };
    // deploy: a config-only change planned against the remembered observation goes in one guarded exec.
    let fastMissed: string | null = null;
    if (name === 'deploy') {
      const remembered = rememberedState(settings);
      const plan = remembered ? planDeploy(desired, remembered.observed) : null;
      const fastOptions = { dryRun: !!options.dryRun, forceUnlock: !!options.forceUnlock };
      if (remembered && plan && fastPathAllowed(remembered.observed, plan, fastOptions)) {
        const sections = [deploySection(plan, lockNotes(remembered.observed))];
        process.stderr.write(renderPlan(sections, false));
        const run = { session, settings, files, out, owner, forceUnlock: false };
        const fast = await applyConfigOnlyFast(
          run,
          plan,
          observationDigest(remembered.text),
          (text) => remember(settings, text),
          () => {
            lintNow();
            return !(lint && 'error' in lint);
          },
        );
        if (fast.applied) {
          for (const w of lint && 'warnings' in lint ? lint.warnings : []) out.warn(w);
          return deployed(out, settings, files, sections, stats);
        }
        // Either way the normal path goes on from the observation the exec ended with (and reports a lint error).
        if (fast.reason === 'changed') {
          out.progress('the NAS changed since the last run: nothing was changed, planning again');
        }
        fastMissed = fast.observation;
      }
    }
    const { observed, text: observedText } =
      fastMissed !== null
        ? { observed: parsed(fastMissed, settings), text: fastMissed }
        : await observe(session, settings, name === 'status', name === 'deploy' ? lintNow : undefined);
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
        const lockScript = lockScriptFor({ settings, owner, forceUnlock: !!options.forceUnlock, out }, observed);
        await applyRename(session, settings, plan, lockScript, out);
        out.text(
          `renamed: ${settings.layout.container} runs from ${settings.layout.configDir} and ${settings.layout.dataDir}`,
        );
        out.result({ ok: true, changed: true, sections, stats });
        return 0;
      }
      case 'deploy': {
        const plan = planDeploy(desired, observed);
        const sections = [deploySection(plan, lockNotes(observed))];
        // What the next run plans against: this observation while it stays true, nothing once this run changes it.
        if (!options.dryRun) remember(settings, plan.actions.length === 0 ? observedText : null);
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
        await applyDeploy({ session, settings, files, out, owner, forceUnlock: !!options.forceUnlock }, observed, plan);
        return deployed(out, settings, files, sections, stats);
      }
    }
    return 1;
  } catch (e) {
    return reportError(out, e, stats);
  } finally {
    session?.close();
  }
}

function deployed(
  out: Output,
  settings: DeploySettings,
  files: readonly LocalFile[],
  sections: PlanSection[],
  stats: SessionStats,
): number {
  out.text(
    `deployed: ${settings.layout.container} runs ${settings.container.image}, config ${combinedChecksum(Object.fromEntries(files.map((f) => [f.name, f.sha256])))}`,
  );
  out.result({ ok: true, changed: true, sections, stats });
  return 0;
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
