import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runShell, scriptFunctions } from '../support/remote-script';
import { findProgram, needsMet } from '../support/requirements';

/*
 * The HTTP probe of the remote script (legacy/remote/alloy-legacy.sh, http_status and http_body: /-/ready,
 * /-/reload, /metrics) must work whichever client the NAS has: curl (DSM), GNU wget, or only busybox. Each variant
 * gets a PATH holding just that client; busybox's applets (wget among them) are reached through its own name.
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
      const status =
        req.method === 'GET' && (req.url === '/-/ready' || req.url === '/metrics')
          ? 200
          : req.method === 'POST'
            ? 400
            : 503;
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(req.url === '/metrics' ? 'alloy_config_hash{sha256="ab"} 1\n' : 'body');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(bin, { recursive: true, force: true });
  });

  const run = async (code: string, args: string[]) => {
    const r = await runShell([join(bin, 'sh')], scriptFunctions(code), args, { env: { PATH: bin } });
    if (r.code !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const probe = (method: string, url: string) => run('http_status "$1" "$2"', [method, url]);

  (available ? test : test.skip)('reports 200, 400 and 503 as the server answers them', async () => {
    expect(await probe('GET', `http://127.0.0.1:${port}/-/ready`)).toBe('200');
    expect(await probe('POST', `http://127.0.0.1:${port}/-/reload`)).toBe('400');
    expect(await probe('GET', `http://127.0.0.1:${port}/other`)).toBe('503');
    expect(await run('http_body "$1"', [`http://127.0.0.1:${port}/metrics`])).toBe('alloy_config_hash{sha256="ab"} 1');
  });

  (available ? test : test.skip)('reports no status (not 200) when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const unused = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    expect(['000']).toContain(await probe('GET', `http://127.0.0.1:${unused}/-/ready`));
  });
});
