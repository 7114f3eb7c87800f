import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { haMode, type K8sObject, ScratchProject } from '../support/manifests';
import { describeWithShared, sharedPath } from '../support/shared';

/** kubeconform's schema file name for an object: `<kind>[-<group>]-<version>.json`. */
function schemaFile(o: K8sObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return `${o.kind.toLowerCase()}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`;
}

function strictValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { optimize: false } });
  addFormats(ajv);
  // The OpenAPI formats JSON Schema lacks, checked rather than ignored.
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  return ajv;
}

const collectBoth = (t: string) =>
  t.replace('      podLogs: false', '      podLogs: true').replace('      events: false', '      events: true');

describeWithShared(
  'k8s/schemas',
  'synthesized objects against the strict Kubernetes 1.28 / cert-manager schemas',
  () => {
    const ajv = strictValidator();
    /** Each mode's synth: one replica (the committed prod.yaml), and HA mode with every optional object. */
    const modes: Record<string, (text: string) => string> = {
      'one replica': (t) => t,
      'HA mode (3 replicas, secret CA, autoscaler)': haMode(
        3,
        '    clusterCa: secret\n    autoscaling:\n      maxReplicas: 6\n',
      ),
      'pod logs and events on (ServiceAccount, ClusterRole, ClusterRoleBinding)': collectBoth,
      'HA mode with pod logs and events (v1.16.3)': (t) =>
        haMode(3)(collectBoth(t)).replace('version: v1.10.1', 'version: v1.16.3'),
    };
    const synthesized: Record<string, K8sObject[]> = {};
    beforeAll(() => {
      for (const [mode, edit] of Object.entries(modes)) {
        const project = new ScratchProject();
        try {
          project.editProd(edit);
          synthesized[mode] = project.synth();
        } finally {
          project.remove();
        }
      }
    });
    const objects = () => synthesized['one replica'];

    test.each(Object.keys(modes))(
      '%s: every object validates (unknown fields are errors, like kubeconform -strict)',
      (mode) => {
        const failures = synthesized[mode].flatMap((o) => {
          const schema = JSON.parse(readFileSync(sharedPath('k8s/schemas', schemaFile(o)), 'utf8'));
          const validate = ajv.compile(schema);
          const where = `${o.kind}/${o.metadata.name}`;
          return validate(o) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
        });
        expect(failures).toEqual([]);
      },
    );

    test('HA mode holds the kinds the one-replica mode lacks', () => {
      expect(new Set(synthesized['HA mode (3 replicas, secret CA, autoscaler)'].map((o) => o.kind))).toEqual(
        new Set([
          'Namespace',
          'ConfigMap',
          'Certificate',
          'Service',
          'StatefulSet',
          'PodDisruptionBudget',
          'HorizontalPodAutoscaler',
        ]),
      );
    });

    test('collection on holds the RBAC kinds, each validated against its own schema', () => {
      const rbac = synthesized['pod logs and events on (ServiceAccount, ClusterRole, ClusterRoleBinding)'];
      expect(rbac.map((o) => `${o.kind} ${schemaFile(o)}`)).toEqual(
        expect.arrayContaining([
          'ServiceAccount serviceaccount-v1.json',
          'ClusterRole clusterrole-rbac-v1.json',
          'ClusterRoleBinding clusterrolebinding-rbac-v1.json',
        ]),
      );
      // Cluster-scoped: no namespace of their own (the shared validator's cross-object rule).
      for (const o of rbac.filter((x) => x.kind.startsWith('ClusterRole')))
        expect(o.metadata.namespace).toBeUndefined();
    });

    test('the validator is strict: an unknown field in the Deployment is rejected', () => {
      const deployment = structuredClone(objects().find((o) => o.kind === 'Deployment')) as K8sObject;
      deployment.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      const validate = ajv.compile(JSON.parse(readFileSync(sharedPath('k8s/schemas', schemaFile(deployment)), 'utf8')));
      expect(validate(deployment)).toBe(false);
      expect(ajv.errorsText(validate.errors)).toContain('additional properties');
    });
  },
);
