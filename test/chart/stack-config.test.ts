import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackJsonSchemas } from '../../lib/config/json-schema';
import { ConfigError, loadDevStack, loadProdStack } from '../../lib/config/load';
import { haMode, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

/** Loads config/prod.yaml after an edit and returns the problems, one line each. */
function prodProblems(edit: (text: string) => string): string[] {
  return withScratchProject((project) => {
    project.editProd(edit);
    try {
      loadProdStack(project.path('config/prod.yaml'));
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.message.split('\n').map((l) => l.replace(project.dir, '<tmp>'));
    }
  });
}

describe('the committed stack files', () => {
  test('load and validate', () => {
    expect(loadProdStack(join(REPO_DIR, 'config/prod.yaml')).alloy.hostname).toBe('alloy.tobiash.net');
    expect(loadDevStack(join(REPO_DIR, 'config/dev.yaml')).alloyLegacy.target.host).toBe('synology.tobiash.net');
  });

  test.each(['prod', 'dev'])('%s.yaml names its JSON Schema for editors, which matches the zod model', (stack) => {
    const text = readFileSync(join(REPO_DIR, `config/${stack}.yaml`), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=./schema/${stack}.schema.json`);
    const committed = JSON.parse(readFileSync(join(REPO_DIR, `config/schema/${stack}.schema.json`), 'utf8'));
    expect(committed).toEqual(stackJsonSchemas()[`${stack}.schema.json`]);
  });

  test('the central hostname and IP are written once: dev.yaml does not repeat them', () => {
    const dev = JSON.stringify(loadDevStack(join(REPO_DIR, 'config/dev.yaml')));
    const prod = loadProdStack(join(REPO_DIR, 'config/prod.yaml'));
    expect(dev).not.toContain(prod.alloy.hostname);
    expect(dev).not.toContain(prod.alloy.loadBalancerIP);
  });
});

describe('a broken prod stack file gives one clear message per problem: file, line, key, expectation', () => {
  test('unknown key', () => {
    expect(prodProblems((t) => t.replace('  clusterIssuer:', '  clusterIsuer:'))).toEqual([
      '<tmp>/config/prod.yaml:9: alloy.clusterIsuer: unknown key (see the JSON Schema for allowed keys)',
    ]);
  });

  test('bad hostname', () => {
    expect(prodProblems((t) => t.replace('alloy.tobiash.net', 'Alloy_host'))).toEqual([
      expect.stringMatching(/^<tmp>\/config\/prod.yaml:6: alloy.hostname: .*DNS hostname/),
    ]);
  });

  test('bad IP', () => {
    expect(prodProblems((t) => t.replace('192.168.1.240', '192.168.1.300'))).toEqual([
      expect.stringMatching(/^<tmp>\/config\/prod.yaml:8: alloy.loadBalancerIP: .*IPv4/i),
    ]);
  });

  test('bad version', () => {
    expect(prodProblems((t) => t.replace('version: v1.10.1', 'version: latest'))).toEqual([
      expect.stringMatching(/^<tmp>\/config\/prod.yaml:5: alloy.version: .*release tag such as v1.10.1/),
    ]);
  });

  test('duplicate port (number and name) and a privileged container port', () => {
    const problems = prodProblems((t) =>
      t
        .replace('      port: 514\n      containerPort: 5514\n      protocol: UDP', '      port: 4317')
        .replace('name: syslog', 'name: http'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/alloy.extraPorts\[0\].name: duplicate port name "http"/),
        expect.stringMatching(/alloy.extraPorts\[0\].port: duplicate port 4317\/TCP/),
      ]),
    );
    expect(prodProblems((t) => t.replace('      containerPort: 5514\n', ''))).toEqual([
      expect.stringMatching(/alloy.extraPorts\[0\].containerPort: port 514 is below 1024/),
    ]);
  });

  test('a containerPort below 1024 is one problem, said in one line (not also as "port 514 is below 1024")', () => {
    expect(prodProblems((t) => t.replace('containerPort: 5514', 'containerPort: 514'))).toEqual([
      '<tmp>/config/prod.yaml:21: alloy.extraPorts[0].containerPort: at least 1024: Alloy runs without root or capabilities and cannot bind lower ports',
    ]);
  });

  test("a value of the wrong type names the key, the value given and what is expected (not zod's generic text)", () => {
    expect(prodProblems((t) => t.replace('replicas: 1', 'replicas: three'))).toEqual([
      '<tmp>/config/prod.yaml:37: alloy.replicas: must be a number, not the string "three"',
    ]);
    expect(prodProblems((t) => t.replace('usageReporting: false', 'usageReporting: "no"'))).toEqual([
      expect.stringMatching(/alloy.usageReporting: must be true or false, not the string "no"$/),
    ]);
    expect(prodProblems((t) => t.replace(/ {2}hostname: .*\n/, ''))).toEqual([
      '<tmp>/config/prod.yaml: alloy.hostname: is required (a string)',
    ]);
  });

  test('several problems are all reported, each on its own line', () => {
    const problems = prodProblems((t) => t.replace('192.168.1.240', 'nope').replace('v1.10.1', '1.10'));
    expect(problems).toHaveLength(2);
  });

  test('YAML syntax errors and duplicate keys name the line', () => {
    expect(prodProblems((t) => t.replace('  clusterIssuer: lets-encrypt', '  hostname: again'))).toEqual([
      expect.stringMatching(/^<tmp>\/config\/prod.yaml:9: .*[Uu]nique/),
    ]);
    expect(prodProblems((t) => `${t}\n  bad: [unclosed\n`)[0]).toMatch(/^<tmp>\/config\/prod.yaml:\d+: /);
  });

  test('a missing file is named', () => {
    expect(() => loadProdStack('/nonexistent/prod.yaml')).toThrow('/nonexistent/prod.yaml: cannot read: ENOENT');
  });
});

describe('HA mode settings: replicas 1-20; HA options only with replicas > 1', () => {
  test('replicas outside 1-20 are refused, naming the key', () => {
    for (const n of [0, 21]) {
      expect(prodProblems(haMode(n))).toEqual([
        expect.stringMatching(
          new RegExp(`^<tmp>/config/prod.yaml:\\d+: alloy.replicas: a whole number from 1 to 20, got ${n}$`),
        ),
      ]);
    }
    expect(prodProblems(haMode(20))).toEqual([]);
  });

  test('ha options with one replica are an error naming alloy.ha', () => {
    expect(prodProblems((t) => t.replace('  replicas: 1', '  replicas: 1\n  ha:\n    maxConnectionAge: 5m'))).toEqual([
      expect.stringMatching(/^<tmp>\/config\/prod.yaml:\d+: alloy.ha: HA options need alloy.replicas > 1/),
    ]);
  });

  test('v1.16.2 is refused in HA mode (clustering over TLS, grafana/alloy#6436) and accepted with one replica', () => {
    const v1162 = (t: string) => t.replace('version: v1.10.1', 'version: v1.16.2');
    expect(prodProblems((t) => haMode(3)(v1162(t)))).toEqual([
      expect.stringMatching(
        /^<tmp>\/config\/prod.yaml:5: alloy.version: v1.16.2 cannot run HA mode .*grafana\/alloy#6436/,
      ),
    ]);
    expect(prodProblems(v1162)).toEqual([]);
    expect(prodProblems((t) => haMode(3)(t.replace('version: v1.10.1', 'version: v1.16.3')))).toEqual([]);
  });

  test('autoscaling.maxReplicas must exceed replicas; a bad duration or CA choice names its key', () => {
    expect(prodProblems(haMode(3, '    autoscaling:\n      maxReplicas: 3\n'))).toEqual([
      expect.stringMatching(/alloy.ha.autoscaling.maxReplicas: more than alloy.replicas \(3/),
    ]);
    expect(prodProblems(haMode(3, '    maxConnectionAge: five minutes\n'))).toEqual([
      expect.stringMatching(/alloy.ha.maxConnectionAge: a duration such as 5m/),
    ]);
    expect(prodProblems(haMode(3, '    clusterCa: mine\n'))).toEqual([expect.stringMatching(/alloy.ha.clusterCa: /)]);
  });
});
