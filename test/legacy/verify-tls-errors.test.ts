/**
 * verify's table lines for TLS failures are one clean line (issue #16 §4: a port answering plain HTTP printed
 * OpenSSL's error queue, a rec_layer_s3.c path and a stray newline, into the table).
 */
import { createServer, type Server } from 'node:net';
import { checkCentralConfig, checkReady, checkTls, describeError } from '../../legacy/verify/checks';

let plain: Server;
let port: number;
beforeAll(async () => {
  // a plain-text server where TLS is expected: it answers any bytes with an HTTP error, as a plain HTTP port does
  plain = createServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  port = (plain.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => plain.close(() => r())));

const clean = (detail: string) => {
  expect(detail).not.toMatch(/\n|\.c:\d+|error:[0-9A-F]{8}|SSL routines/);
  expect(detail).toBe(detail.trim());
};

test('a TLS check against a plain HTTP port: one line with the reason and what to look at', async () => {
  const r = await checkTls('tls', { connectHost: '127.0.0.1', port, hostname: 'alloy.example' }, 14, 3000);
  expect(r.ok).toBe(false);
  clean(r.detail);
  expect(r.detail).toBe(
    'TLS handshake failed: ERR_SSL_WRONG_VERSION_NUMBER: wrong version number; the port does not answer TLS (plain HTTP?)',
  );
});

test('HTTPS readiness and config checks against it: the same clean line', async () => {
  const url = new URL(`https://alloy.example:${port}/-/ready`);
  for (const r of [
    await checkReady('ready', { url, connectHost: '127.0.0.1' }, 3000),
    await checkCentralConfig('config', { url, connectHost: '127.0.0.1' }, 'a'.repeat(64), 3000),
  ]) {
    expect(r.ok).toBe(false);
    clean(r.detail);
    expect(r.detail).toBe('EPROTO: wrong version number; the port does not answer TLS (plain HTTP?)');
  }
});

test('errors without OpenSSL detail keep their code and message on one line', () => {
  expect(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe(
    'ECONNREFUSED',
  );
  expect(describeError(Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' }))).toBe(
    'ETIMEDOUT: no answer within 5 s',
  );
  expect(describeError(new Error('two\nlines '))).toBe('two lines');
});
