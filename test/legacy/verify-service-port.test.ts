/**
 * `legacy-deploy verify` checks the central UI/API on alloy.servicePorts.http, the port the chart puts on the
 * LoadBalancer (issue #13), not on the container's 12345. Everything it connects to is on 127.0.0.1.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { type DnsStack, loadDnsStack } from '../../legacy/dns/stack';
import { runVerifyChecks } from '../../legacy/verify/run';

const configDir = resolve(__dirname, '../../config');

/** A TCP listener on 127.0.0.1 that counts connections and closes each at once (so every check fails fast). */
function listener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    count++;
    sockets.add(s);
    s.destroy();
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({ server, port: (server.address() as AddressInfo).port, connections: () => count }),
    ),
  );
}
const closeServer = (s: Server) => new Promise<void>((ok) => s.close(() => ok()));

test('the TLS, readiness and config checks of the central UI/API go to servicePorts.http', async () => {
  const ui = await listener();
  const closed = await listener();
  await closeServer(closed.server); // a port nothing listens on: the OTLP, legacy and DNS checks fail at once
  try {
    const stack = loadDnsStack(configDir);
    const moved: DnsStack = { ...stack, central: { ...stack.central, servicePorts: { http: ui.port } } };
    const results = await runVerifyChecks(moved, {
      configDir,
      connect: '127.0.0.1',
      resolver: `127.0.0.1:${closed.port}`,
      otlpPort: String(closed.port),
      legacyUrl: `http://127.0.0.1:${closed.port}`,
      timeout: '2',
    });
    const byId = Object.fromEntries(results.map((r) => [r.id, r.name]));
    expect(byId['tls-http']).toBe(`tls ${stack.central.hostname}:${ui.port} (HTTP)`);
    expect(byId['ready-central']).toBe(`ready central https://${stack.central.hostname}:${ui.port}/-/ready`);
    expect(byId['config-central']).toBe(`config central https://${stack.central.hostname}:${ui.port}/metrics`);
    // The three central UI/API checks really connected there.
    expect(ui.connections()).toBe(3);
  } finally {
    await closeServer(ui.server);
  }
});

test('the committed prod.yaml keeps the UI/API on 12345', () => {
  expect(loadDnsStack(configDir).central.servicePorts.http).toBe(12345);
});
