/**
 * `legacy-deploy plan`: the cross-area plan, above deploy and dns (which never import each other). The NAS
 * section is observed without the lock (and says when a deploy holds it); the DNS sections come from
 * dnsPlanSections, each with its own exit code; the command exits with the worst of them.
 */
import { resolve } from 'node:path';
import type { DeployOptions } from '../deploy/commands';
import { readLocalFiles } from '../deploy/desired';
import { observeUnlocked } from '../deploy/lock';
import { nasPlanSections, openSession, printPlan, settingsFor } from '../deploy/run';
import type { dnsPlanSections as DnsPlanSections } from '../dns/plan-sections';
import { consoleOutput, reportFailure } from '../shared/output';
import type { RemoteSession, SessionStats } from '../shared/ssh-session';

export interface PlanOptions extends DeployOptions {
  readonly caFile?: string;
}

export async function runPlanCommand(options: PlanOptions): Promise<number> {
  const out = consoleOutput(options.json === true);
  const stats: SessionStats = { connections: 0, commands: 0, bytesUploaded: 0 };
  let session: RemoteSession | undefined;
  try {
    const settings = settingsFor(options);
    const files = readLocalFiles(resolve(options.assets));
    session = await openSession(settings, options, out, stats);
    const nas = nasPlanSections(settings, files, await observeUnlocked(session, settings));
    const { dnsPlanSections } = require('../dns/plan-sections') as { dnsPlanSections: typeof DnsPlanSections };
    const dns = await dnsPlanSections({ configDir: options.configDir, session, caFile: options.caFile });
    return printPlan(out, [...nas, ...dns], stats);
  } catch (e) {
    return reportFailure(options.json === true, e, { stats });
  } finally {
    session?.close();
  }
}
