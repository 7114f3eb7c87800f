/**
 * The sidecar reload flow, from the synthesized pod spec to the proof `verify` reads. The real
 * prometheus-config-reloader is a Go binary published only as a container image (quay.io): neither the npm registry
 * nor Debian carries it, so the test runs what is ours against it: the URL, TLS and flags the chart gives the
 * reloader, used the way its source uses them (`cmd/prometheus-config-reloader/main.go` `createHTTPClient`: TLS with
 * `InsecureSkipVerify: true`; thanos `pkg/reloader` `triggerReload`: POST, anything but 200 is retried), against a
 * stand-in for Alloy's `/-/reload` over HTTPS that serves a certificate for the public hostname, as Alloy does.
 * The stand-in follows Alloy's contract (`alloy run --help`: GET or POST /-/reload; a config that does not load is
 * answered 400 and Alloy keeps its last good one; `InstrumentConfig` sets the hash series on every attempt).
 */

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as plainRequest } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { alloyConfigHash, lintSources } from '../../alloy-lint';
import { judgeCentralConfig } from '../../legacy/verify/central-config';
import { CONFIG_HASH_ANNOTATION } from '../../lib/config-map';
import { alloyConfigMetrics } from '../support/alloy-metrics';
import { writeConfigMapVolume } from '../support/config-map-volume';
import { find, type K8sObject, ScratchProject } from '../support/manifests';
import { createTestCa, type IssuedCert, type TestCa } from '../support/tls-certs';

/** What the stand-in Alloy has loaded. */
interface AlloyState {
  hash: string;
  lastLoadSuccessful: boolean;
  reloads: number;
}

/** Alloy's reload: read the config folder, refuse it (400) when it does not load, else run it. */
function startAlloyStandIn(
  cert: IssuedCert,
  configDir: string,
): Promise<{ server: Server; port: number; state: AlloyState }> {
  const state: AlloyState = { hash: '', lastLoadSuccessful: false, reloads: 0 };
  // As Alloy reads its folder (loadAlloySource): every *.alloy entry, following links, as a kubelet ConfigMap volume
  // is made of links (key -> ..data/key). Our own pipelineFilesOf refuses links: it guards the source folders.
  const load = (): string | undefined => {
    const files = readdirSync(configDir)
      .filter((name) => name.endsWith('.alloy'))
      .map((name) => ({ name, file: join(configDir, name), content: readFileSync(join(configDir, name)) }));
    state.hash = alloyConfigHash(files);
    const errors = lintSources(files.map((f) => ({ file: f.file, text: f.content }))).diagnostics.filter(
      (d) => d.severity === 'error',
    );
    state.lastLoadSuccessful = errors.length === 0;
    return errors[0]?.message;
  };
  load();
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    if (req.url === '/-/reload' && (req.method === 'POST' || req.method === 'GET')) {
      state.reloads++;
      const error = load();
      res.writeHead(error ? 400 : 200).end(error ? `error during the initial load: ${error}\n` : 'config reloaded\n');
    } else if (req.url === '/metrics') {
      res.writeHead(200).end(alloyConfigMetrics(state.hash, state.lastLoadSuccessful));
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, state })),
  );
}

/**
 * One reload request as prometheus-config-reloader sends it. `localhost` is the pod's loopback; here the stand-in's
 * port replaces the chart's (the URL's scheme, host and path are the chart's own).
 */
function triggerReload(url: URL, port: number): Promise<number> {
  const send = url.protocol === 'https:' ? request : plainRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        method: 'POST',
        host: '127.0.0.1',
        port,
        path: url.pathname,
        headers: { host: url.host },
        servername: url.hostname,
        rejectUnauthorized: false, // InsecureSkipVerify, as upstream
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let ca: TestCa;
let cert: IssuedCert;
let project: ScratchProject;
let objects: K8sObject[];
let reloader: { args: string[] };
let alloyStandIn: Awaited<ReturnType<typeof startAlloyStandIn>>;
const flag = (name: string) => reloader.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) as string;
const volume = () => join(project.dir, 'volume');
const configMapFiles = (o: K8sObject[]) => find(o, 'ConfigMap').data as Record<string, string>;

beforeAll(async () => {
  ca = createTestCa();
  project = new ScratchProject();
  objects = project.synth();
  const hostname = find(objects, 'Certificate').spec.dnsNames[0];
  cert = ca.issue('alloy', { dnsNames: [hostname], days: 30 });
  reloader = find(objects, 'Deployment').spec.template.spec.containers.find(
    (c: { name: string }) => c.name === 'config-reloader',
  );
  writeConfigMapVolume(volume(), configMapFiles(objects));
  alloyStandIn = await startAlloyStandIn(cert, volume());
});
afterAll(async () => {
  await new Promise((r) => alloyStandIn?.server.close(r));
  project?.remove();
  ca?.cleanup();
});

test('the reloader flags: the watched dir is the ConfigMap mount, the URL is https://localhost:<http port>/-/reload', () => {
  const alloy = find(objects, 'Deployment').spec.template.spec.containers[0];
  const configMount = alloy.volumeMounts.find((m: { name: string }) => m.name === 'config').mountPath;
  expect(flag('watched-dir')).toBe(configMount);
  expect(alloy.args).toContain(configMount);
  const url = new URL(flag('reload-url'));
  expect(`${url.protocol}//${url.hostname}${url.pathname}`).toBe('https://localhost/-/reload');
  expect(Number(url.port)).toBe(alloy.ports.find((p: { name: string }) => p.name === 'http').containerPort);
});

test('a config change: the reload succeeds and the running hash becomes the ConfigMap annotation of the new synth', async () => {
  const file = project.path('assets/alloy/logging.alloy');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"info"', '"debug"'));
  const changed = project.synth();
  writeConfigMapVolume(volume(), configMapFiles(changed));

  expect(await triggerReload(new URL(flag('reload-url')), alloyStandIn.port)).toBe(200);
  const expected = find(changed, 'ConfigMap').metadata.annotations?.[CONFIG_HASH_ANNOTATION] as string;
  expect(alloyStandIn.state.hash).toBe(expected);
  expect(
    judgeCentralConfig(alloyConfigMetrics(alloyStandIn.state.hash, alloyStandIn.state.lastLoadSuccessful), expected).ok,
  ).toBe(true);
});

test('a bad config: the reload answers 400 (the reloader retries), and verify fails naming both hashes', async () => {
  const good = configMapFiles(project.synth());
  const expectedGood = find(project.synth(), 'ConfigMap').metadata.annotations?.[CONFIG_HASH_ANNOTATION] as string;
  writeConfigMapVolume(volume(), { ...good, 'logging.alloy': 'logging {\n\tlevel = \n}\n' });
  expect(await triggerReload(new URL(flag('reload-url')), alloyStandIn.port)).toBe(400);
  const verdict = judgeCentralConfig(
    alloyConfigMetrics(alloyStandIn.state.hash, alloyStandIn.state.lastLoadSuccessful),
    expectedGood,
  );
  expect(verdict.ok).toBe(false);
  expect(verdict.detail).toContain('last config load failed');
  expect(verdict.detail).toContain(alloyStandIn.state.hash);
  expect(verdict.detail).toContain(expectedGood);
  writeConfigMapVolume(volume(), good);
  expect(await triggerReload(new URL(flag('reload-url')), alloyStandIn.port)).toBe(200);
});

test("the Helm chart's http:// URL does not reach Alloy's TLS-only server (grafana/alloy#2195)", async () => {
  const before = alloyStandIn.state.reloads;
  const plain = new URL(flag('reload-url').replace('https:', 'http:'));
  await expect(triggerReload(plain, alloyStandIn.port)).rejects.toThrow(/socket hang up|ECONNRESET|EPROTO/);
  expect(alloyStandIn.state.reloads).toBe(before);
});

test('why the reloader must skip verification on localhost: the certificate names the public hostname only', async () => {
  const verifying = new Promise<void>((resolve, reject) => {
    const req = request(
      {
        method: 'POST',
        host: '127.0.0.1',
        port: alloyStandIn.port,
        path: '/-/reload',
        servername: 'localhost',
        ca: ca.caPem,
        agent: false,
      },
      () => resolve(),
    );
    req.on('error', reject);
    req.end();
  });
  await expect(verifying).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});
