// DNS commands benchmark, against the contract emulators on 127.0.0.1 (no real API is reachable here).
//  1. Call counts: a cut-over run, then a no-op run, for Cloudflare and OPNsense. Target for a no-op run: no
//     write; Cloudflare ≤ 1 zone lookup and 1 list per record name; OPNsense 1 search and no reconfigure.
//  2. Wall time of a no-op run (median of RUNS), against a floor measured in the same process: the same number
//     of bare HTTP(S) requests to the same emulator. The ratio is what the SDK, planning and printing add.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { resolve } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { runCloudflareDns } from '../legacy/dns/cloudflare/run';
import { runOpnsenseDns } from '../legacy/dns/opnsense/run';
import { memoryReport } from '../legacy/dns/report';
import { loadDnsStack } from '../legacy/dns/stack';
import { startCloudflareEmulator } from '../test/support/cloudflare-emulator';
import { startOpnsenseEmulator } from '../test/support/opnsense-emulator';
import { createTestCa } from '../test/support/tls-certs';

const RUNS = 15;
const stack = loadDnsStack(resolve(__dirname, '../config'));

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

const line = (name: string, ms: number, floorMs?: number) =>
  process.stdout.write(
    `${name.padEnd(48)} ${ms.toFixed(1).padStart(7)} ms${floorMs ? `  ratio ${(ms / floorMs).toFixed(2)}× floor` : ''}\n`,
  );

async function cloudflare(): Promise<void> {
  const zone = stack.legacy.cloudflare.zone;
  const emu = await startCloudflareEmulator({
    zones: [zone],
    tokens: [{ value: 'bench' }],
    rateLimit: { limit: 100_000, windowSeconds: 300 },
  });
  try {
    emu.seed(zone, {
      type: 'CNAME',
      name: stack.legacy.cloudflare.oldRecord,
      content: stack.legacy.cloudflare.cnameTarget,
      ttl: 60,
    });
    const env = { CLOUDFLARE_API_TOKEN: 'bench', ...emu.clientEnv };
    const run = () =>
      runCloudflareDns(stack, { dryRun: false, deleteForeignOldRecord: false, env, report: memoryReport() });
    const summary = () => {
      const gets = emu.requests.filter((r) => r.method === 'GET');
      return `${emu.requests.length} requests: ${gets.filter((r) => r.path.endsWith('/zones')).length} zone lookup, ${gets.filter((r) => r.path.endsWith('/dns_records')).length} lists, ${emu.writes().length} writes`;
    };
    await run();
    process.stdout.write(`cloudflare cut-over run: ${summary()}\n`);
    emu.clearLog();
    await run();
    process.stdout.write(`cloudflare no-op run:    ${summary()}\n`);
    const perRun = emu.requests.length;
    const noop = await median(RUNS, run);
    const urls = emu.requests
      .slice(0, perRun)
      .map((r) => `${emu.baseURL.replace(/\/client\/v4$/, '')}${r.path}?${r.query}`);
    const ca = readFileSync(emu.caFile, 'utf8');
    // One connection pool per run, as the client has (the emulator is HTTPS with its own CA).
    const floor = await median(RUNS, async () => {
      const dispatcher = new Agent({ connect: { ca } });
      for (const url of urls) {
        await (await undiciFetch(url, { headers: { authorization: 'Bearer bench' }, dispatcher })).json();
      }
      await dispatcher.close();
    });
    line('cloudflare no-op run (SDK, plan, print)', noop, floor);
    line(`floor: ${perRun} bare fetch requests`, floor);
  } finally {
    await emu.close();
  }
}

async function opnsense(): Promise<void> {
  const ca = createTestCa();
  const cert = ca.issue('fw', { ipAddresses: ['127.0.0.1'] });
  const emu = await startOpnsenseEmulator({ cert: cert.cert, key: cert.key, apiKeys: [{ key: 'k', secret: 's' }] });
  try {
    for (let i = 0; i < 50; i++) emu.seed({ hostname: `host${i}`, domain: 'home.lan', server: `192.168.1.${i + 10}` });
    const env = { OPNSENSE_ENDPOINT: emu.endpoint, OPNSENSE_API_KEY: 'k', OPNSENSE_API_SECRET: 's' };
    const run = () => runOpnsenseDns(stack, { dryRun: false, env, report: memoryReport(), caFile: ca.caFile });
    const summary = () =>
      `${emu.requests.length} requests: ${emu.requests.filter((r) => r.path.endsWith('search_host_override')).length} search, ${emu.writes().length} writes, reconfigures so far ${emu.reconfigures}`;
    await run();
    process.stdout.write(`opnsense cut-over run: ${summary()}\n`);
    emu.clearLog();
    await run();
    process.stdout.write(`opnsense no-op run:    ${summary()}\n`);
    const noop = await median(RUNS, run);
    const auth = `Basic ${Buffer.from('k:s').toString('base64')}`;
    const floor = await median(
      RUNS,
      () =>
        new Promise<void>((ok, fail) => {
          const req = request(
            `${emu.endpoint}/api/unbound/settings/search_host_override`,
            { method: 'POST', ca: ca.caPem, headers: { authorization: auth, 'content-type': 'application/json' } },
            (res) => {
              res.resume();
              res.on('end', () => ok());
            },
          );
          req.on('error', fail);
          req.end('{"searchPhrase":"alloy"}');
        }),
    );
    line('opnsense no-op run (TLS, plan, print)', noop, floor);
    line('floor: 1 bare HTTPS request', floor);
  } finally {
    await emu.close();
    ca.cleanup();
  }
}

(async () => {
  await cloudflare();
  await opnsense();
})().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exitCode = 1;
});
