import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { type DelayProxy, startDelayProxy } from '../../bench/delay-proxy';

const DELAY = 80;

const sockets: Socket[] = [];
const servers: Server[] = [];
const proxies: DelayProxy[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of proxies.splice(0)) await p.close();
  for (const s of servers.splice(0)) if (s.listening) await new Promise((r) => s.close(r));
});

/** A server on 127.0.0.1 behind a delay proxy; `accepted` is the server's end of the first connection. */
async function setup(onSocket: (s: Socket) => void = () => {}) {
  let accept: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((ok) => {
    accept = ok;
  });
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    onSocket(s);
    accept(s);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy = await startDelayProxy({ targetPort: (server.address() as { port: number }).port, delayMs: DELAY });
  proxies.push(proxy);
  return { server, proxy, accepted };
}

function connect(port: number): Promise<Socket> {
  const s = new Socket({ allowHalfOpen: true });
  sockets.push(s);
  return new Promise((ok, fail) => {
    s.once('error', fail);
    s.connect(port, '127.0.0.1', () => ok(s));
  });
}

/** Resolves when the socket closed, whether after an error or not (events.once would reject on 'error'). */
const closed = (s: Socket) => new Promise<void>((ok) => (s.closed ? ok() : s.once('close', () => ok())));

function collect(s: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((ok) => s.once('end', () => ok(Buffer.concat(chunks))));
}

describe('delay proxy', () => {
  it('holds each chunk delayMs in each direction, so a request and its answer take one round trip', async () => {
    const { proxy, accepted } = await setup((s) => s.on('data', (c) => s.write(c))); // echo
    const client = await connect(proxy.port);
    client.write('warm-up'); // opens the upstream connection after the emulated handshake
    const upstream = await accepted;
    await once(client, 'data');
    const arrivedAtServer: number[] = [];
    upstream.on('data', () => arrivedAtServer.push(performance.now()));

    const sent = performance.now();
    client.write('ping');
    await once(client, 'data');
    const answered = performance.now();
    const there = arrivedAtServer[0] - sent;
    const back = answered - arrivedAtServer[0];
    for (const oneWay of [there, back]) {
      expect(oneWay).toBeGreaterThanOrEqual(DELAY - 1);
      expect(oneWay).toBeLessThan(DELAY + 60);
    }
  });

  it('makes the TCP handshake cost a round trip before the first byte of a server that speaks first', async () => {
    const { proxy } = await setup((s) => s.write('SSH-2.0-banner\r\n'));
    const began = performance.now();
    const client = await connect(proxy.port);
    await once(client, 'data');
    const firstByte = performance.now() - began;
    expect(firstByte).toBeGreaterThanOrEqual(3 * DELAY - 1);
    expect(firstByte).toBeLessThan(3 * DELAY + 80);
  });

  it('passes every byte in order both ways, many small chunks and some large ones sent at once', async () => {
    const fromClient = Array.from({ length: 400 }, (_, i) => randomBytes(i % 50 === 0 ? 256 * 1024 : 1 + (i % 97)));
    const fromServer = Array.from({ length: 400 }, (_, i) => randomBytes(i % 40 === 0 ? 300 * 1024 : 1 + (i % 89)));
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const { proxy, accepted } = await setup((s) => {
      serverGot = collect(s);
      for (const c of fromServer) s.write(c);
      s.end();
    });
    const client = await connect(proxy.port);
    const clientGot = collect(client);
    for (const c of fromClient) client.write(c);
    client.end();
    expect((await clientGot).equals(Buffer.concat(fromServer))).toBe(true);
    await accepted;
    expect((await serverGot).equals(Buffer.concat(fromClient))).toBe(true);
    expect(proxy.connections()).toBe(1);
  });

  it('carries a half-close after the data before it, and closes both sockets once both sides ended', async () => {
    const { proxy, accepted } = await setup((s) => {
      s.resume();
      s.once('end', () => s.end('bye')); // answer the client's FIN, then close
    });
    const client = await connect(proxy.port);
    const clientGot = collect(client);
    client.write('last words');
    client.end();
    const upstream = await accepted;
    const serverGot = collect(upstream);
    expect((await clientGot).toString()).toBe('bye');
    expect((await serverGot).toString()).toBe('last words');
    await Promise.all([closed(client), closed(upstream)]);
  });

  it('closes the client at once when the server resets', async () => {
    const { proxy, accepted } = await setup();
    const client = await connect(proxy.port);
    client.on('error', () => {});
    client.write('x');
    const upstream = await accepted;
    const gone = closed(client);
    const began = performance.now();
    upstream.resetAndDestroy();
    await gone;
    expect(performance.now() - began).toBeLessThan(DELAY);
  });

  it('closes the server side at once when the client resets', async () => {
    const { proxy, accepted } = await setup();
    const client = await connect(proxy.port);
    client.write('y');
    const upstream = await accepted;
    upstream.on('error', () => {});
    const gone = closed(upstream);
    const began = performance.now();
    client.resetAndDestroy();
    await gone;
    expect(performance.now() - began).toBeLessThan(DELAY);
  });

  it('closes the client when nothing listens behind the proxy', async () => {
    const { server, proxy } = await setup();
    await new Promise((r) => server.close(r));
    const client = await connect(proxy.port);
    client.on('error', () => {});
    await closed(client);
    expect(client.destroyed).toBe(true);
  });

  it('resets every open connection on close()', async () => {
    const { proxy, accepted } = await setup();
    const client = await connect(proxy.port);
    client.write('z');
    const upstream = await accepted;
    for (const s of [client, upstream]) s.on('error', () => {});
    const gone = Promise.all([closed(client), closed(upstream)]);
    await proxy.close();
    await gone;
    expect(client.destroyed && upstream.destroyed).toBe(true);
  });
});
