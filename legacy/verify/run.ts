/**
 * `legacy-deploy verify`: the PRD's §3.3 as checks. The central hostname, LoadBalancer IP and ports come from
 * prod.yaml; the legacy instance's host and HTTP port from dev.yaml. Options only redirect where the checks
 * connect (tests, or a machine that cannot resolve the name yet); they never change what is expected.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import { centralPipeline } from '../../lib/central-pipeline';
import { builtinPorts } from '../../lib/config/schema';
import { ALLOY_DEFAULTS } from '../../lib/defaults';
import { DnsError } from '../dns/errors';
import { reportFailure } from '../dns/report';
import { type DnsStack, loadDnsStack } from '../dns/stack';
import { redactOutput } from '../shared/redact-output';
import {
  type CheckResult,
  checkCentralConfig,
  checkExporterMetrics,
  checkReady,
  checkResolves,
  checkTls,
} from './checks';

export interface VerifyOptions {
  readonly configDir: string;
  readonly json?: boolean;
  /** Days a certificate must still be valid; default verify.minDays. */
  readonly minDays?: string;
  /** `ip` or `ip:port`; default verify.resolver / resolverPort (or this machine's resolvers). */
  readonly resolver?: string;
  /** Address the TLS and readiness checks connect to instead of the hostname. */
  readonly connect?: string;
  readonly caFile?: string;
  readonly httpsPort?: string;
  readonly otlpPort?: string;
  /** Base URL of the legacy instance; default http://target.host:httpPort. */
  readonly legacyUrl?: string;
  readonly timeout?: string;
  /** Folder of the central pipeline the running config must match; default assets/alloy (working directory). */
  readonly centralAssets?: string;
}

const port = (name: string) => builtinPorts.find((p) => p.name === name)?.port as number;

function wholeNumber(value: string | undefined, option: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new DnsError(`${option} takes a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function resolverOption(value: string | undefined, stack: DnsStack): { address: string; port: number } | undefined {
  if (value === undefined) {
    const v = stack.legacy.verify;
    return v.resolver ? { address: v.resolver, port: v.resolverPort } : undefined;
  }
  const [address, p] = value.split(':');
  if (!isIPv4(address)) throw new DnsError(`--resolver takes an IPv4 address with an optional :port, got "${value}"`);
  return { address, port: wholeNumber(p, '--resolver port', 53, 1) };
}

function readCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new DnsError(`cannot read --ca-file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** The hash of the central pipeline as synth makes it (the chart's ConfigMap annotation), from these folders. */
export function centralConfigHash(options: VerifyOptions, central: DnsStack['central']): string {
  // Like every path option and default, from the working directory (as `npm run synth` reads them).
  const assetsDir = resolve(options.centralAssets ?? ALLOY_DEFAULTS.assetsDir);
  try {
    const kubernetesAssetsDir = resolve(ALLOY_DEFAULTS.kubernetesAssetsDir);
    return centralPipeline({ ...central, assetsDir, kubernetesAssetsDir }).hash;
  } catch (e) {
    throw new DnsError(`--central-assets: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A check's outcome with a stable id (dns, tls-http, tls-otlp, ready-central, config-central, ready-legacy,
 * exporter-legacy).
 */
export interface VerifyResult extends CheckResult {
  readonly id: string;
}

export async function runVerifyChecks(stack: DnsStack, options: VerifyOptions): Promise<VerifyResult[]> {
  const { hostname, loadBalancerIP } = stack.central;
  const minDays = wholeNumber(options.minDays, '--min-days', stack.legacy.verify.minDays);
  const timeoutMs = wholeNumber(options.timeout, '--timeout', 5, 1) * 1000;
  const ca = readCa(options.caFile);
  const connectHost = options.connect ?? hostname;
  const httpsPort = wholeNumber(options.httpsPort, '--https-port', stack.central.servicePorts.http, 1);
  const otlpPort = wholeNumber(options.otlpPort, '--otlp-port', port('otlp-grpc'), 1);
  const legacyBase = new URL(options.legacyUrl ?? `http://${stack.legacy.target.host}:${stack.legacy.httpPort}`);
  const central = new URL(`https://${hostname}:${httpsPort}/-/ready`);
  const legacyReady = new URL('/-/ready', legacyBase);
  const legacyMetrics = new URL('/metrics', legacyBase);
  const centralMetrics = new URL(`https://${hostname}:${httpsPort}/metrics`);
  const resolver = resolverOption(options.resolver, stack);
  const expectedHash = centralConfigHash(options, stack.central);
  const tagged = async (id: string, check: Promise<CheckResult>): Promise<VerifyResult> => ({ id, ...(await check) });
  return Promise.all([
    tagged('dns', checkResolves(`dns ${hostname}`, hostname, loadBalancerIP, resolver, timeoutMs)),
    tagged(
      'tls-http',
      checkTls(
        `tls ${hostname}:${httpsPort} (HTTP)`,
        { connectHost, port: httpsPort, hostname, ca },
        minDays,
        timeoutMs,
      ),
    ),
    tagged(
      'tls-otlp',
      checkTls(
        `tls ${hostname}:${otlpPort} (OTLP gRPC)`,
        { connectHost, port: otlpPort, hostname, ca, alpn: ['h2'] },
        minDays,
        timeoutMs,
      ),
    ),
    tagged('ready-central', checkReady(`ready central ${central.href}`, { url: central, connectHost, ca }, timeoutMs)),
    tagged(
      'config-central',
      checkCentralConfig(
        `config central ${centralMetrics.href}`,
        { url: centralMetrics, connectHost, ca },
        expectedHash,
        timeoutMs,
      ),
    ),
    tagged('ready-legacy', checkReady(`ready legacy ${legacyReady.href}`, { url: legacyReady }, timeoutMs)),
    tagged(
      'exporter-legacy',
      checkExporterMetrics(`legacy exporter ${legacyMetrics.href}`, { url: legacyMetrics }, timeoutMs),
    ),
  ]);
}

/** The pass/fail table. */
export function formatChecks(results: readonly CheckResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.name.length));
  const lines = [`${'CHECK'.padEnd(width)}  RESULT  DETAIL`];
  for (const r of results) lines.push(`${r.name.padEnd(width)}  ${r.ok ? 'PASS' : 'FAIL'}    ${r.detail}`);
  const passed = results.filter((r) => r.ok).length;
  lines.push(`${passed} of ${results.length} checks passed`);
  return `${lines.join('\n')}\n`;
}

/**
 * Prints the table (or JSON); exit 0 only when every check passed. A failure, whether checks failed or the run could
 * not start (bad option, bad config), is `ok: false` with an `error` in --json, as in every command.
 */
export async function runVerifyCommand(options: VerifyOptions): Promise<number> {
  try {
    const stack = loadDnsStack(resolve(options.configDir));
    const results = await runVerifyChecks(stack, options);
    const failed = results.filter((r) => !r.ok);
    const ok = failed.length === 0;
    const error = ok
      ? undefined
      : `${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.id).join(', ')}`;
    process.stdout.write(
      redactOutput(
        options.json
          ? `${JSON.stringify({ ok, ...(error ? { error } : {}), checks: results }, null, 2)}\n`
          : formatChecks(results),
      ),
    );
    return ok ? 0 : 1;
  } catch (e) {
    return reportFailure(e, { json: options.json });
  }
}
