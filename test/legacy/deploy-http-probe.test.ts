import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpFunction } from '../../legacy/deploy/observe';
import { findProgram, needsMet } from '../support/requirements';

/*
 * The HTTP probe legacy-deploy runs on the NAS (for /-/ready and /-/reload) must give the status code whichever
 * client the NAS has: curl (DSM), GNU wget, or only busybox. Each variant gets a PATH holding just that client.
 */
const clients = [
  ['curl', ['curl']],
  ['GNU wget', ['wget']],
  ['busybox wget only', []],
] as const;

describe.each(clients)('http_status with %s', (name, extra) => {
  const programs = ['sh', 'sed', 'tail', 'busybox', ...extra];
  const available = needsMet(`http_status with ${name}`, { programs });
  let server: Server;
  let port: number;
  let bin: string;
  beforeAll(async () => {
    bin = mkdtempSync(join(tmpdir(), 'probe-bin-'));
    for (const p of programs) {
      const path = findProgram(p);
      if (path) symlinkSync(path, join(bin, p));
    }
    server = createServer((req, res) => {
      const status = req.method === 'GET' && req.url === '/-/ready' ? 200 : req.method === 'POST' ? 400 : 503;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('body');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(bin, { recursive: true, force: true });
  });

  const probe = (method: string, url: string) =>
    new Promise<string>((ok, fail) =>
      execFile(
        join(bin, 'sh'),
        ['-c', `${httpFunction}\nhttp_status ${method} ${url}`],
        { env: { PATH: bin } },
        (e, stdout) => (e ? fail(e) : ok(stdout.trim())),
      ),
    );

  (available ? test : test.skip)('reports 200, 400 and 503 as the server answers them', async () => {
    expect(await probe('GET', `http://127.0.0.1:${port}/-/ready`)).toBe('200');
    expect(await probe('POST', `http://127.0.0.1:${port}/-/reload`)).toBe('400');
    expect(await probe('GET', `http://127.0.0.1:${port}/other`)).toBe('503');
  });

  (available ? test : test.skip)('reports no status (not 200) when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const unused = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    expect(['', '000']).toContain(await probe('GET', `http://127.0.0.1:${unused}/-/ready`));
  });
});
