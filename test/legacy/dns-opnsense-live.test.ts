/**
 * Defect 10 of issue #10: OPNsense saves an override at once but serves it only after a reconfigure, and a
 * reconfigure can be refused (403: the key lacks "Services: Unbound") after the save. The next run must see that
 * the saved override is not live, by asking the resolver, and finish the job. The emulator's reconfigure feeds a
 * real Unbound on 127.0.0.1, which is what the client asks.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runOpnsenseDns } from '../../legacy/dns/opnsense/run';
import { sectionExitCode } from '../../legacy/dns/plan-view';
import { memoryReport } from '../../legacy/dns/report';
import { type DnsStack, hostOverride, loadDnsStack } from '../../legacy/dns/stack';
import { ExitCode } from '../../legacy/shared/exit-codes';
import { type HostRecord, type OpnsenseEmulator, startOpnsenseEmulator } from '../support/opnsense-emulator';
import { createTestCa, type TestCa } from '../support/tls-certs';
import { describeWithUnbound, startUnbound, type TestUnbound, unboundTool } from '../support/unbound';

const base = loadDnsStack(resolve(__dirname, '../../config'));
const override = hostOverride(base.central);
const description = 'managed by alloy-deploy';

/** What OPNsense writes for its Unbound from the live overrides (enabled A rows), as local-data lines. */
function localData(live: readonly HostRecord[]): string {
  return live
    .filter((h) => h.enabled === '1' && h.rr === 'A')
    .map((h) => `local-data: "${h.hostname ? `${h.hostname}.` : ''}${h.domain}. 300 IN A ${h.server}"\n`)
    .join('');
}

describeWithUnbound('dns unbound (opnsense): a saved override that is not live is applied on the next run', () => {
  let ca: TestCa;
  let unbound: TestUnbound;
  let emu: OpnsenseEmulator;
  let stack: DnsStack;
  beforeAll(async () => {
    ca = createTestCa();
    // tobiash.net is answered locally (NXDOMAIN for names without data), so nothing is asked upstream.
    unbound = await startUnbound({ include: '', other: 'local-zone: "tobiash.net." static\n' });
    const cert = ca.issue('fw', { ipAddresses: ['127.0.0.1'] });
    emu = await startOpnsenseEmulator({
      cert: cert.cert,
      key: cert.key,
      apiKeys: [
        { key: 'admin', secret: 'admin-secret' },
        // may edit overrides but not apply them (contract §1: reconfigure needs "Services: Unbound")
        { key: 'editor', secret: 'editor-secret', privileges: ['unbound/settings'] },
      ],
      onReconfigure: (live) => serve(localData(live)),
    });
    stack = {
      ...base,
      legacy: {
        ...base.legacy,
        unbound: { backend: 'opnsense', description, caFile: ca.caFile },
        verify: { ...base.legacy.verify, resolver: '127.0.0.1', resolverPort: unbound.port },
      },
    };
  });
  afterAll(async () => {
    await emu?.close();
    await unbound?.stop();
    ca?.cleanup();
  });

  /** Unbound serves `data` (as after a reconfigure that wrote it). */
  const serve = (data: string) => {
    writeFileSync(unbound.includeFile, data);
    execFileSync(unboundTool('unbound-control') as string, ['-c', unbound.config, 'reload'], { stdio: 'ignore' });
  };
  beforeEach(() => {
    emu.hosts.clear();
    emu.live = new Map();
    emu.clearLog();
    serve('');
  });

  const env = (key: string) => ({
    OPNSENSE_ENDPOINT: emu.endpoint,
    OPNSENSE_API_KEY: key,
    OPNSENSE_API_SECRET: `${key}-secret`,
  });
  const run = (key: string, dryRun = false) => runOpnsenseDns(stack, { dryRun, env: env(key), report: memoryReport() });

  it('a refused reconfigure leaves the override saved, not live; the next run reconfigures; the one after does nothing', async () => {
    await expect(run('editor')).rejects.toThrow(
      /refused POST \/api\/unbound\/service\/reconfigure \(403 Forbidden\): .*"Services: Unbound"/,
    );
    expect([...emu.hosts.values()]).toEqual([expect.objectContaining({ hostname: 'alloy', server: override.address })]);
    expect(emu.pending).toBe(true);
    await expect(unbound.resolve4(override.fqdn)).rejects.toMatchObject({ code: 'ENOTFOUND' });

    const dry = await run('admin', true);
    expect(sectionExitCode(dry.planned.section, 'planned')).toBe(ExitCode.changesPending);
    expect(dry.planned.section.actions).toEqual([
      expect.objectContaining({ kind: 'keep', subject: `host override ${override.fqdn}` }),
      {
        kind: 'update',
        subject: 'Unbound service',
        detail: `reconfigure: the override is saved but not live (the resolver 127.0.0.1:${unbound.port} has no answer)`,
      },
    ]);

    emu.clearLog();
    const finish = await run('admin');
    expect(finish.writes).toBe(1);
    expect(emu.writes().map((r) => r.path)).toEqual(['/api/unbound/service/reconfigure']);
    expect(emu.hosts.size).toBe(1); // nothing saved twice
    expect(await unbound.resolve4(override.fqdn)).toEqual([override.address]);

    emu.clearLog();
    const again = await run('admin');
    expect(again.writes).toBe(0);
    expect(emu.writes()).toEqual([]);
    expect(again.planned.section.actions.map((a) => a.kind)).toEqual(['keep']);
  });

  it('an override saved as wanted but served with another address (a stale live state) is reconfigured too', async () => {
    const uuid = emu.seed({ hostname: 'alloy', domain: 'tobiash.net', server: override.address, description });
    serve(`local-data: "${override.fqdn}. 300 IN A 10.0.0.99"\n`);
    const dry = await run('admin', true);
    expect(dry.planned.section.actions[1]).toMatchObject({
      detail: expect.stringContaining(`the resolver 127.0.0.1:${unbound.port} answers 10.0.0.99`),
    });
    expect((await run('admin')).writes).toBe(1);
    expect(await unbound.resolve4(override.fqdn)).toEqual([override.address]);
    expect(emu.hosts.has(uuid)).toBe(true);
  });
});
