/**
 * `legacy-deploy plan`: the cross-area plan, above deploy and dns (which never import each other). The NAS
 * section is observed without the lock (and says when a deploy holds it; when the NAS cannot be reached it is
 * marked not checked and the rest is still planned); the DNS sections come from
 * dnsPlanSections, each with its own exit code; the command exits with the worst of them.
 */
import { resolve } from 'node:path';
import { loadStacks } from '../../lib/config/load';
import type { DeployOptions } from '../deploy/commands';
import { readLocalFiles } from '../deploy/desired';
import { observeUnlocked } from '../deploy/lock';
import { nasPlanSections, openSession, printPlan, settingsFor } from '../deploy/run';
import type { dnsPlanSections as DnsPlanSections } from '../dns/plan-sections';
import { upgradeWarnings } from '../lint-assets';
import { ExitCode } from '../shared/exit-codes';
import { consoleOutput, reportFailure } from '../shared/output';
import type { PlanSection } from '../shared/plan';
import { NasUnreachable, type RemoteSession, type SessionStats } from '../shared/ssh-session';

export interface PlanOptions extends DeployOptions {
  readonly caFile?: string;
}

export async function runPlanCommand(options: PlanOptions): Promise<number> {
  const out = consoleOutput(options.json === true);
  const stats: SessionStats = { connections: 0, commands: 0, bytesUploaded: 0 };
  let session: RemoteSession | undefined;
  try {
    // The stack files read once for both areas.
    const stacks = loadStacks(resolve(options.configDir));
    const settings = settingsFor(options, stacks);
    const files = readLocalFiles(resolve(options.assets));
    let nas: PlanSection[];
    try {
      session = await openSession(settings, options, out, stats);
      const observed = await observeUnlocked(session, settings);
      nas = nasPlanSections(settings, files, observed);
      const running = observed.containers.current?.image;
      if (running)
        for (const w of upgradeWarnings(resolve(options.assets), files, running, settings.container)) out.warn(w);
    } catch (e) {
      if (!(e instanceof NasUnreachable)) throw e;
      // What could not be checked is said; the DNS sections are still planned (exit 4, as for any unchecked one).
      session?.close();
      session = undefined;
      const { user, host, port } = settings.target;
      nas = [
        {
          title: `legacy Alloy (NAS ${user}@${host}:${port})`,
          items: [{ mark: '!', text: `not checked: ${e.message}` }],
          exitCode: ExitCode.unchecked,
        },
      ];
    }
    const { dnsPlanSections } = require('../dns/plan-sections') as { dnsPlanSections: typeof DnsPlanSections };
    const dns = await dnsPlanSections({ configDir: options.configDir, stack: stacks, session, caFile: options.caFile });
    return printPlan(out, [...nas, ...dns], stats);
  } catch (e) {
    return reportFailure(options.json === true, e, { stats });
  } finally {
    session?.close();
  }
}
