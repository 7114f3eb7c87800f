import { ExitCode } from '../shared/exit-codes';
import type { PlanItem, PlanSection } from '../shared/plan';
import type { DeploySettings } from './desired';
import type { DeployPlan, DeployStep, RenamePlan } from './plan';

/** One line of text per deploy step: the printed plan and the progress say the same. */
export function describeStep(step: DeployStep, s: Pick<DeploySettings, 'layout' | 'readyTimeoutSeconds'>): string {
  const { layout } = s;
  switch (step.kind) {
    case 'restore':
      return `restore: ${layout.previousContainer} back as ${layout.container} and started (${step.reason})`;
    case 'pull':
      return `pull image ${step.image}`;
    case 'make-dirs':
      return `create folder ${step.dirs.join(', folder ')}`;
    case 'stage':
      return `stage the config in ${layout.stagingDir}`;
    case 'validate':
      return `validate: alloy validate of the staged config with ${step.image} (no network, read-only)`;
    case 'set-aside':
      return `set aside: ${layout.container} renamed ${layout.previousContainer} and stopped`;
    case 'swap-and-reload':
      return `swap the files into ${layout.configDir} and reload (POST /-/reload, no restart)`;
    case 'reload':
      return `reload (POST /-/reload): ${step.reason}`;
    case 'swap-and-recreate':
      return `swap the files in and ${step.replaces ? 'recreate' : 'create'} container ${layout.container}: ${step.reasons.join('; ')}`;
    case 'swap-and-start':
      return `swap the files in and start container ${layout.container}`;
    case 'wait-ready':
      return `wait up to ${s.readyTimeoutSeconds} s for GET /-/ready${step.reason ? ` (${step.reason})` : ''}`;
    case 'verify-hash':
      return `verify that Alloy runs config ${step.sha256.slice(0, 12)} (alloy_config_hash on /metrics)`;
    case 'remove-previous':
      return `remove container ${layout.previousContainer}`;
  }
}

const stepMarks: Record<DeployStep['kind'], PlanItem['mark']> = {
  restore: '~',
  pull: '+',
  'make-dirs': '+',
  stage: '+',
  validate: '~',
  'set-aside': '~',
  'swap-and-reload': '~',
  reload: '~',
  'swap-and-recreate': '~',
  'swap-and-start': '~',
  'wait-ready': '~',
  'verify-hash': '~',
  'remove-previous': '-',
};

/** The deploy plan: each step numbered as the executor runs it, the file changes under the stage step. */
export function deploySection(
  plan: DeployPlan,
  s: Pick<DeploySettings, 'layout' | 'readyTimeoutSeconds'>,
  notes: readonly string[] = [],
): PlanSection {
  const items: PlanItem[] = plan.blockers.map((text) => ({ mark: '!', text }));
  plan.steps.forEach((step, i) => {
    items.push({ mark: stepMarks[step.kind], text: `${i + 1}. ${describeStep(step, s)}` });
    if (step.kind === 'stage') {
      for (const c of step.changes) {
        const mark = c.change === 'add' ? '+' : c.change === 'change' ? '~' : '-';
        items.push({ mark, text: `   config file ${c.name} (${c.change === 'add' ? 'added' : `${c.change}d`})` });
      }
    }
  });
  return {
    title: 'legacy Alloy (deploy)',
    items,
    notes,
    exitCode: items.length > 0 ? ExitCode.changesPending : ExitCode.ok,
  };
}

export function renameSection(plan: RenamePlan): PlanSection {
  const items: PlanItem[] = plan.blockers.map((text) => ({ mark: '!', text }));
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'stop-container':
        items.push({ mark: '~', text: `stop container ${a.name}` });
        break;
      case 'move-dir':
        items.push({ mark: '~', text: `move ${a.from} → ${a.to}` });
        break;
      case 'create-renamed-container':
        items.push({
          mark: '+',
          text: `create container ${a.container.name} from alloy's settings (image ${a.container.image}, renamed mounts)`,
        });
        break;
      case 'start-container':
        items.push({ mark: '~', text: `start container ${a.name} and wait for /-/ready` });
        break;
      case 'remove-container':
        items.push({ mark: '-', text: `remove container ${a.name}` });
        break;
    }
  }
  return { title: 'legacy Alloy (rename)', items };
}
