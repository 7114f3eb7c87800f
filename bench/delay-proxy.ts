import { createServer, type Server, Socket } from 'node:net';

/*
 * A TCP proxy on 127.0.0.1 that holds every chunk `delayMs` in each direction before passing it on, in order: a
 * link with 2 × delayMs of round-trip time in front of a local server. It stands in for netem, which the kernels
 * of these machines lack. Only latency is added: no bandwidth limit, no loss. A FIN travels the same delayed path
 * as the data before it (half-close kept); a reset or error on either side resets the other at once. The TCP handshake
 * on loopback is instant, so the proxy makes it cost its round trip: it connects to the server only 2 × delayMs
 * after accepting, and the client's first bytes wait for that (without it every new connection would be one
 * round trip cheaper than on a real link).
 *
 * No npm package does this (toxiproxy needs its Go server, not installable here; the npm TCP proxies add no
 * delay), hence this small module. test/bench/delay-proxy.test.ts holds it to the above.
 */

export interface DelayProxyOptions {
  /** The server behind the proxy, on 127.0.0.1. */
  readonly targetPort: number;
  /** Milliseconds each chunk is held, per direction. */
  readonly delayMs: number;
}

export interface DelayProxy {
  /** The proxy's own port on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops listening and resets every open connection. */
  close(): Promise<void>;
}

/** Ends a socket with a TCP reset, so that its peer sees the connection gone even when it keeps its half open. */
function reset(s: Socket): void {
  if (s.destroyed) return;
  // a socket still connecting is reset once connected; one that never began to connect has no peer to tell
  if (s.readyState === 'closed' && !s.connecting) s.destroy();
  else s.resetAndDestroy();
}

type Held = { readonly due: number; readonly chunk: Buffer | 'end' };

/** Copies `from` to `to`, each chunk (and the final FIN) released `delayMs` after it arrived, in arrival order. */
function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  const queue: Held[] = [];
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].due <= now) {
      const { chunk } = queue.shift() as Held;
      if (to.destroyed) return;
      if (chunk === 'end') to.end();
      // Back-pressure: stop reading while the receiver's buffer is full.
      else if (!to.write(chunk) && !from.isPaused()) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    }
    if (queue.length > 0) timer = setTimeout(release, Math.max(0, queue[0].due - now));
  };
  const hold = (chunk: Buffer | 'end') => {
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(release, delayMs);
  };
  from.on('data', (chunk: Buffer) => hold(chunk));
  from.on('end', () => hold('end'));
  from.on('close', () => {
    // after a reset nothing held is worth delivering; after a clean end the FIN is already queued
    if (from.errored || !from.readableEnded) {
      clearTimeout(timer);
      reset(to);
    }
  });
}

export function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    accepted++;
    const upstream = new Socket({ allowHalfOpen: true });
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => open.delete(s));
    }
    // The handshake's round trip: the client's bytes wait (paused) until the server is connected.
    let piped = false;
    client.pause();
    const handshake = setTimeout(() => {
      upstream.connect(options.targetPort, '127.0.0.1', () => {
        piped = true;
        delayedPipe(client, upstream, options.delayMs);
        delayedPipe(upstream, client, options.delayMs);
        client.resume();
      });
    }, 2 * options.delayMs);
    // Until the pipes exist (client gone during the handshake, server refusing), one side's end ends the other.
    client.once('close', () => {
      if (piped) return;
      clearTimeout(handshake);
      reset(upstream);
    });
    upstream.once('close', () => {
      if (!piped) reset(client);
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      ok({
        port,
        connections: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) reset(s);
            server.close(() => done());
          }),
      });
    });
  });
}
