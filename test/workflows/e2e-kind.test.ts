/**
 * The kind end-to-end workflow cannot run here (no Kubernetes API server), so it is checked as a file: the
 * @action-validator/cli schema check of GitHub's workflow syntax, the rules of the issue as named assertions, and
 * shellcheck on the step script it calls.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { testNeeding } from '../support/requirements';
import { REPO_DIR } from '../support/shared';

const workflowFile = join(REPO_DIR, '.github/workflows/e2e-kind.yml');
const scriptFile = join(REPO_DIR, '.github/e2e/kind.sh');
const validator = join(REPO_DIR, 'node_modules/.bin/action-validator');
const text = readFileSync(workflowFile, 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: a parsed workflow, read freely
const workflow: any = parse(text);
const job = workflow.jobs.kind;
const runs = (job.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');

function validate(file: string): { status: number | null; output: string } {
  const r = spawnSync(validator, [file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('action-validator accepts the workflow', () => {
  const r = validate(workflowFile);
  expect(r.output).not.toMatch(/"errors"/);
  expect(r.status).toBe(0);
});

test('action-validator is strict: a misspelt key in a copy of the workflow is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-'));
  try {
    const broken = join(dir, 'e2e-kind.yml');
    writeFileSync(broken, text.replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest'));
    const r = validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("Additional property 'runs-onn' is not allowed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('both modes: replicas 1 and 3', () => {
  expect(job.strategy.matrix.replicas).toEqual([1, 3]);
});

test('kind, cert-manager, MetalLB in the kind network, then kubectl apply -f dist/', () => {
  const uses = (job.steps as { uses?: string }[]).map((s) => s.uses ?? '');
  expect(uses).toContain('helm/kind-action@v1');
  expect(runs).toMatch(/cert-manager\/releases\/download\/\$\{CERT_MANAGER_VERSION\}\/cert-manager.yaml/);
  expect(runs).toContain('metallb-native.yaml');
  expect(runs).toContain('docker network inspect kind');
  expect(runs).toMatch(/^kubectl apply -f dist\/$/m);
});

test('the steps in order: configure, issuer, apply, ready over HTTPS, peers (HA only), reload', () => {
  const order = ['configure', 'issuer', 'kubectl apply -f dist/', 'kind.sh ready', 'kind.sh peers', 'kind.sh reload'];
  const at = order.map((needle) => runs.indexOf(needle));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  const peers = job.steps.find((s: { run?: string }) => s.run?.includes('kind.sh peers'));
  expect(peers.if).toBe('matrix.replicas > 1');
});

test('the script: a self-signed ClusterIssuer under the configured name; readiness with --cacert; no restart on reload', () => {
  const script = readFileSync(scriptFile, 'utf8');
  expect(script).toMatch(/name: \$\(prod_value clusterIssuer\)\nspec:\n {2}selfSigned: \{\}/);
  expect(script).toMatch(/curl [^\n]*--cacert "\$ca"/);
  expect(script).not.toMatch(/curl [^\n]*(-k\b|--insecure)/);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable in the script's text
  expect(script).toContain('alloy_config_hash{sha256=\\"${expected}\\"} 1');
  expect(script).toContain('a pod was replaced or restarted by a config-only change');
  expect(script).toContain('/api/v0/web/peers');
});

testNeeding({ programs: ['shellcheck'] }, 'the step script is shellcheck clean', () => {
  expect(() => execFileSync('shellcheck', [scriptFile], { encoding: 'utf8' })).not.toThrow();
});
