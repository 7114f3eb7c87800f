import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DnsError } from '../../legacy/dns/errors';
import { memoryReport } from '../../legacy/dns/report';
import { type DnsStack, loadDnsStack } from '../../legacy/dns/stack';
import { includeContent, planIncludeFile, servedAddresses } from '../../legacy/dns/unbound-file/plan';
import { runFileDns } from '../../legacy/dns/unbound-file/run';
import { LocalShell } from '../../legacy/dns/unbound-file/shell';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { describeWithUnbound, startUnbound, type TestUnbound, unboundTool } from '../support/unbound';

const repoStack = loadDnsStack(resolve(__dirname, '../../config'));
const { hostname, loadBalancerIP } = repoStack.central;
const oldInclude = `local-data: "${hostname}. 300 IN A 10.9.9.9"\n`;

function fileStack(u: TestUnbound): DnsStack {
  return {
    ...repoStack,
    legacy: {
      ...repoStack.legacy,
      unbound: {
        backend: 'file',
        path: u.includeFile,
        config: u.config,
        ssh: false,
        checkconf: unboundTool('unbound-checkconf') ?? 'unbound-checkconf',
        control: unboundTool('unbound-control') ?? 'unbound-control',
      },
    },
  };
}

describe('file backend plan (pure)', () => {
  const override = { fqdn: 'alloy.tobiash.net', host: 'alloy', domain: 'tobiash.net', address: '192.168.1.240' };

  it('the include holds one local-data A record for the central hostname and its LoadBalancer IP', () => {
    const text = includeContent(override);
    expect(text).toContain('local-data: "alloy.tobiash.net. 300 IN A 192.168.1.240"');
    expect(servedAddresses(text, 'alloy.tobiash.net')).toEqual(['192.168.1.240']);
  });

  it('keeps an identical file, creates a missing one, updates a different one', () => {
    const wanted = includeContent(override);
    expect(planIncludeFile('/x', wanted, wanted).kind).toBe('keep');
    expect(planIncludeFile('/x', wanted, null)).toMatchObject({ kind: 'create', was: null });
    expect(planIncludeFile('/x', wanted, oldInclude)).toMatchObject({ kind: 'update', was: oldInclude });
  });
});

describeWithUnbound('file backend against a real Unbound on 127.0.0.1', () => {
  let unbound: TestUnbound;
  beforeEach(async () => {
    unbound = await startUnbound({ include: oldInclude });
  });
  afterEach(async () => {
    await unbound.stop();
  });

  it('writes the include, checks, reloads: the real resolver answers the LoadBalancer IP; a second run writes nothing', async () => {
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
    const stack = fileStack(unbound);
    const first = await runFileDns(stack, new LocalShell(), { dryRun: false, report: memoryReport() });
    expect(first.planned.action.kind).toBe('update');
    expect(first.writes).toBe(1);
    expect(await unbound.resolve4(hostname)).toEqual([loadBalancerIP]);

    const report = memoryReport();
    const second = await runFileDns(stack, new LocalShell(), { dryRun: false, report });
    expect(second.planned.action.kind).toBe('keep');
    expect(second.writes).toBe(0);
    expect(report.lines.join('\n')).toContain('no changes');
  });

  it('--dry-run prints the change and leaves file and answers alone', async () => {
    const report = memoryReport();
    const r = await runFileDns(fileStack(unbound), new LocalShell(), { dryRun: true, report });
    expect(r.writes).toBe(0);
    expect(report.lines.join('\n')).toMatch(
      new RegExp(`~ update .*${hostname} → ${loadBalancerIP} \\(was 10\\.9\\.9\\.9\\)`),
    );
    expect(readFileSync(unbound.includeFile, 'utf8')).toBe(oldInclude);
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
  });

  it('a configuration that fails unbound-checkconf restores the previous include and does not reload', async () => {
    // Someone else's include is broken: the whole configuration no longer checks.
    writeFileSync(unbound.otherFile, 'no-such-option: yes\n');
    const promise = runFileDns(fileStack(unbound), new LocalShell(), { dryRun: false, report: memoryReport() });
    await expect(promise).rejects.toThrow(DnsError);
    await expect(promise).rejects.toThrow(
      /unbound-checkconf rejected .* restored the previous file and did not reload/s,
    );
    expect(readFileSync(unbound.includeFile, 'utf8')).toBe(oldInclude);
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
  });

  it('a new include that fails the check is removed again', async () => {
    const stack = fileStack(unbound);
    const fresh = `${unbound.dir}/fresh.conf`;
    writeFileSync(unbound.otherFile, `include: "${fresh}"\nno-such-option: yes\n`);
    const withFresh = {
      ...stack,
      legacy: { ...stack.legacy, unbound: { ...stack.legacy.unbound, path: fresh } },
    } as DnsStack;
    await expect(runFileDns(withFresh, new LocalShell(), { dryRun: false, report: memoryReport() })).rejects.toThrow(
      /removed it again/,
    );
    expect(await new LocalShell().readFile(fresh)).toBeNull();
  });

  it('a file written as wanted but never reloaded (an earlier reload failed) is reloaded on the next run', async () => {
    const stack = fileStack(unbound);
    const wanted = includeContent({
      fqdn: hostname,
      host: 'alloy',
      domain: hostname.slice('alloy.'.length),
      address: loadBalancerIP,
    });
    writeFileSync(unbound.includeFile, wanted); // as the failed run left it: written, not live
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
    const dry = await runFileDns(stack, new LocalShell(), { dryRun: true, report: memoryReport() });
    expect(dry.planned.action).toEqual({ kind: 'reload', path: unbound.includeFile, served: ['10.9.9.9'] });
    expect(dry.planned.section.actions[0].detail).toBe(
      `${hostname} → ${loadBalancerIP} is written but not live (Unbound serves 10.9.9.9); unbound-control reload`,
    );
    const report = memoryReport();
    expect((await runFileDns(stack, new LocalShell(), { dryRun: false, report })).writes).toBe(1);
    expect(report.lines).toContain('  done: unbound-control reload');
    expect(await unbound.resolve4(hostname)).toEqual([loadBalancerIP]);
    expect(readFileSync(unbound.includeFile, 'utf8')).toBe(wanted);
    const again = await runFileDns(stack, new LocalShell(), { dryRun: false, report: memoryReport() });
    expect(again.planned.action).toEqual({ kind: 'keep', path: unbound.includeFile });
    expect(again.writes).toBe(0);
  });

  it('when Unbound cannot be asked, a file as wanted is kept and the plan says it is not confirmed live', async () => {
    const stack = fileStack(unbound);
    const noControl = {
      ...stack,
      legacy: { ...stack.legacy, unbound: { ...stack.legacy.unbound, control: '/bin/false' } },
    } as DnsStack;
    writeFileSync(
      unbound.includeFile,
      includeContent({ fqdn: hostname, host: 'alloy', domain: 'x', address: loadBalancerIP }),
    );
    const r = await runFileDns(noControl, new LocalShell(), { dryRun: true, report: memoryReport() });
    expect(r.planned.action).toMatchObject({
      kind: 'keep',
      unconfirmed: expect.stringContaining('list_local_data failed'),
    });
  });

  it('a failing reload is reported with unbound-control output', async () => {
    const stack = fileStack(unbound);
    const badControl = {
      ...stack,
      legacy: { ...stack.legacy, unbound: { ...stack.legacy.unbound, control: '/bin/false' } },
    } as DnsStack;
    await expect(runFileDns(badControl, new LocalShell(), { dryRun: false, report: memoryReport() })).rejects.toThrow(
      /unbound-control reload failed .* passed unbound-checkconf/s,
    );
  });

  it("the CLI applies dev.yaml's file backend: --dry-run exits 2 and writes nothing, then a run applies, then --dry-run exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alloy-unbound-cli-'));
    try {
      const configDir = resolve(__dirname, '../../config');
      writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
      const dev = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
      dev.setIn(['alloyLegacy', 'unbound'], fileStack(unbound).legacy.unbound);
      writeFileSync(join(dir, 'dev.yaml'), dev.toString());
      const cli = (...args: string[]) => runLegacyDeploy(['--config-dir', dir, 'dns', 'unbound', ...args]);
      const pending = await cli('--dry-run');
      expect(pending.code).toBe(2);
      expect(readFileSync(unbound.includeFile, 'utf8')).toBe(oldInclude);
      const applied = await cli();
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('done: unbound-control reload');
      expect(await unbound.resolve4(hostname)).toEqual([loadBalancerIP]);
      expect((await cli('--dry-run')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
