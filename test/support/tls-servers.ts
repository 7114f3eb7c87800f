/**
 * Stand-ins for the central instance's TLS endpoints on 127.0.0.1: an HTTPS server answering `/-/ready` and
 * `/metrics` (port 12345's role) and a bare TLS listener offering ALPN h2 (the OTLP gRPC port 4317's role). Each takes a
 * certificate from the test CA, so tests choose valid, wrong-name or expired ones.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { IssuedCert } from './tls-certs';

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server & { closeAllConnections?: () => void }): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * `/-/ready` (200 or 503) and, when given, `/metrics` with the text `metrics()` returns at the time of the request
 * (Alloy's own metrics, such as `alloy_config_hash`).
 */
export function startReadyServer(cert: IssuedCert, ready = true, metrics?: () => string): Promise<RunningServer> {
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    if (req.url === '/metrics' && metrics) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics());
      return;
    }
    if (req.url === '/-/ready') {
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ready ? 'Alloy is ready.\n' : 'Alloy is not ready.\n');
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return listen(server);
}

export function startTlsListener(cert: IssuedCert): Promise<RunningServer> {
  const sockets = new Set<TLSSocket>();
  const server = createTlsServer({ cert: cert.cert, key: cert.key, ALPNProtocols: ['h2'] }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end();
  });
  const closeAllConnections = () => {
    for (const s of sockets) s.destroy();
  };
  return listen(Object.assign(server, { closeAllConnections }));
}
