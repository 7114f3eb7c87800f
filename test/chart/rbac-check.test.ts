/**
 * The chart's linter rule (lib/rbac-check.ts): a component that reads the Kubernetes API with the pod's account
 * needs RBAC the chart grants only through alloy.collect.kubernetes; without it, synth fails naming the file, the
 * component and the option.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rbacDiagnostics } from '../../lib/rbac-check';
import { PipelineError } from '../../lib/synth';
import { withScratchProject } from '../support/manifests';

const FIXTURE = join(__dirname, 'fixtures/rbac/collect_own_pod_logs.alloy');
const check = (text: string, collect: { podLogs?: boolean; events?: boolean } = {}) =>
  rbacDiagnostics([{ file: 'x.alloy', text }], collect).map((d) => `${d.line}:${d.column}: ${d.message}`);

describe('at synth (failing fixture: a user pipeline file that tails pods while podLogs is off)', () => {
  test('is an error naming the file, the component and the missing option; nothing is written', () => {
    withScratchProject((project) => {
      copyFileSync(FIXTURE, project.path('assets/alloy/collect_own_pod_logs.alloy'));
      let error: unknown;
      try {
        project.synth();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).problems).toEqual([
        expect.stringMatching(
          /assets\/alloy\/collect_own_pod_logs\.alloy:3:1: error: discovery\.kubernetes "mine" needs Kubernetes RBAC the chart does not grant \(list pods, watch pods\): turn on alloy\.collect\.kubernetes\.podLogs$/,
        ),
        expect.stringMatching(
          /assets\/alloy\/collect_own_pod_logs\.alloy:7:1: error: loki\.source\.kubernetes "mine" needs Kubernetes RBAC the chart does not grant \(get pods, get pods\/log\): turn on alloy\.collect\.kubernetes\.podLogs$/,
        ),
      ]);
      expect(() => readFileSync(project.path('dist/alloy.k8s.yaml'))).toThrow(/ENOENT/);
    });
  });

  test('the same file synthesizes once podLogs is on (the chart then grants what it needs)', () => {
    withScratchProject((project) => {
      copyFileSync(FIXTURE, project.path('assets/alloy/collect_own_pod_logs.alloy'));
      project.editProd((t) => t.replace('      podLogs: false', '      podLogs: true'));
      expect(() => project.synth()).not.toThrow();
    });
  });
});

describe('which option a component needs', () => {
  test('loki.source.kubernetes_events needs alloy.collect.kubernetes.events, even with podLogs on', () => {
    const text = 'loki.source.kubernetes_events "e" {\n\tforward_to = []\n}\n';
    expect(check(text, { podLogs: true })).toEqual([
      '1:1: loki.source.kubernetes_events "e" needs Kubernetes RBAC the chart does not grant (list events, watch events): turn on alloy.collect.kubernetes.events',
    ]);
    expect(check(text, { events: true })).toEqual([]);
  });

  test('discovery.kubernetes: the role decides (node is granted with podLogs, service by no option)', () => {
    expect(check('discovery.kubernetes "n" {\n\trole = "node"\n}\n', { podLogs: true })).toEqual([]);
    expect(check('discovery.kubernetes "s" {\n\trole = "service"\n}\n', { podLogs: true, events: true })).toEqual([
      '1:1: discovery.kubernetes "s" needs Kubernetes RBAC the chart does not grant (list services, watch services): no alloy.collect.kubernetes option grants it',
    ]);
  });

  test('components no option grants access for are errors even with every source on', () => {
    const text = 'remote.kubernetes.secret "s" {\n\tnamespace = "alloy"\n\tname = "x"\n}\n';
    expect(check(text, { podLogs: true, events: true })).toEqual([
      expect.stringContaining(
        'remote.kubernetes.secret "s" needs Kubernetes RBAC the chart does not grant (get secrets)',
      ),
    ]);
  });

  test('nested components count too (inside declare)', () => {
    const text = 'declare "m" {\n\tloki.source.kubernetes_events "e" {\n\t\tforward_to = []\n\t}\n}\n';
    expect(check(text)).toEqual([expect.stringMatching(/^2:2: loki\.source\.kubernetes_events "e" /)]);
  });

  test('a component pointed at another API server (api_server, kubeconfig_file) needs none of the chart RBAC', () => {
    expect(check('discovery.kubernetes "other" {\n\trole = "pod"\n\tkubeconfig_file = "/k"\n}\n')).toEqual([]);
    expect(
      check(
        'loki.source.kubernetes_events "e" {\n\tforward_to = []\n\tclient {\n\t\tapi_server = "https://x"\n\t}\n}\n',
      ),
    ).toEqual([]);
  });

  test('components that do not read the Kubernetes API are never flagged', () => {
    const assets = join(__dirname, '../../assets/alloy');
    const files = ['collect_otlp.alloy', 'collect_syslog.alloy', 'export_mimir.alloy'].map((f) => ({
      file: f,
      text: readFileSync(join(assets, f)),
    }));
    expect(rbacDiagnostics(files, {})).toEqual([]);
  });
});
