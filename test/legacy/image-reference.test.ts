/**
 * Docker references compare in normalized form (issue #16 §4: `status` showed `docker.io/grafana/alloy:v1.10.1
 * (wanted grafana/alloy:v1.10.1)`, the same image, as a mismatch). The table follows distribution/reference's
 * ParseNormalizedNamed + TagNameOnly.
 */

import type { DeploySettings } from '../../legacy/deploy/desired';
import { normalizeImageReference, sameImage } from '../../legacy/deploy/image-reference';
import { layoutFor } from '../../legacy/deploy/layout';
import type { ObservedContainer, ObservedState } from '../../legacy/deploy/observed';
import { printStatus } from '../../legacy/deploy/status';
import type { Output } from '../../legacy/shared/output';

test.each([
  ['grafana/alloy:v1.10.1', 'docker.io/grafana/alloy:v1.10.1'],
  ['docker.io/grafana/alloy:v1.10.1', 'docker.io/grafana/alloy:v1.10.1'],
  ['index.docker.io/grafana/alloy:v1.10.1', 'docker.io/grafana/alloy:v1.10.1'],
  ['busybox', 'docker.io/library/busybox:latest'],
  ['busybox:1.36', 'docker.io/library/busybox:1.36'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest'],
  ['localhost/alloy-stub:v1.10.1', 'localhost/alloy-stub:v1.10.1'],
  ['127.0.0.1:5000/alloy-stub', '127.0.0.1:5000/alloy-stub:latest'],
  ['ghcr.io/grafana/alloy:v1.10.1', 'ghcr.io/grafana/alloy:v1.10.1'],
  [`grafana/alloy@sha256:${'a'.repeat(64)}`, `docker.io/grafana/alloy@sha256:${'a'.repeat(64)}`],
  [`grafana/alloy:v1.10.1@sha256:${'a'.repeat(64)}`, `docker.io/grafana/alloy:v1.10.1@sha256:${'a'.repeat(64)}`],
])('%s normalizes to %s', (reference, normalized) => {
  expect(normalizeImageReference(reference)).toBe(normalized);
});

test('different images stay different', () => {
  expect(sameImage('grafana/alloy:v1.10.1', 'grafana/alloy:v1.11.0')).toBe(false);
  expect(sameImage('grafana/alloy:v1.10.1', 'ghcr.io/grafana/alloy:v1.10.1')).toBe(false);
  expect(sameImage('library/alloy:v1', 'grafana/alloy:v1')).toBe(false);
});

describe('status', () => {
  const settings = {
    target: { host: 'nas', port: 22, user: 'deployer' },
    dockerPath: 'docker',
    httpPort: 9091,
    readyTimeoutSeconds: 10,
    layout: layoutFor('/volume2/docker'),
    container: {
      name: 'alloy-legacy',
      image: 'grafana/alloy:v1.10.1',
      network: 'host',
      restart: 'always',
      binds: [],
      env: {},
      args: [],
    },
  } satisfies DeploySettings;
  const observedWith = (image: string): ObservedState => ({
    now: 1_000_000,
    engineProblem: null,
    rootDirExists: true,
    configDir: { exists: true, files: [] },
    dataDirExists: true,
    previousConfigExists: false,
    old: { configDirExists: false, dataDirExists: false },
    containers: {
      current: {
        id: 'c'.repeat(64),
        name: 'alloy-legacy',
        running: true,
        status: 'running',
        image,
        startedAt: new Date(900_000_000).toISOString(),
      } as ObservedContainer,
      previous: null,
      old: null,
    },
    imagePresent: true,
    lock: null,
    ready: 200,
    running: { sha256: null, lastLoadSuccessful: true },
  });
  const imageLine = (image: string) => {
    const text: string[] = [];
    const out = {
      json: false,
      color: false,
      progress() {},
      warn() {},
      text: (m: string) => text.push(m),
      result() {},
    } satisfies Output;
    printStatus(out, settings, [], observedWith(image), { connections: 1, commands: 1, bytesUploaded: 0 });
    return text
      .join('\n')
      .split('\n')
      .find((l) => l.startsWith('image'));
  };

  test("the engine's normalized spelling of the wanted image is no mismatch", () => {
    expect(imageLine('docker.io/grafana/alloy:v1.10.1')).toBe('image       docker.io/grafana/alloy:v1.10.1');
  });

  test('another image is one, and names the wanted one', () => {
    expect(imageLine('docker.io/grafana/alloy:v1.9.0')).toBe(
      'image       docker.io/grafana/alloy:v1.9.0 (wanted grafana/alloy:v1.10.1)',
    );
  });
});
