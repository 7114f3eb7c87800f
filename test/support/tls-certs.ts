/**
 * A throw-away certificate authority made with the `openssl` CLI (Node's crypto cannot issue X.509): a CA and
 * server certificates it signs, with chosen names and validity windows (also in the past, for expired ones).
 * Everything lives in one temp dir that `cleanup()` removes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

export interface CertRequest {
  /** DNS names in subjectAltName. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Validity from now on, in days (default 90). */
  readonly days?: number;
  /** Or an explicit window, as `YYYYMMDDHHMMSSZ`. */
  readonly startDate?: string;
  readonly endDate?: string;
}

export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  issue(name: string, request: CertRequest): IssuedCert;
  cleanup(): void;
}

const openssl = (dir: string, args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** `openssl` date form for a moment `days` from now, e.g. 20250101000000Z. */
export function opensslDate(daysFromNow: number): string {
  return `${new Date(Date.now() + daysFromNow * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export function createTestCa(commonName = 'alloy-deploy test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'alloy-test-ca-'));
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = test_ca',
      '[ test_ca ]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/newcerts',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = any_name',
      'unique_subject = no',
      'copy_extensions = none',
      '[ any_name ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const caFile = join(dir, 'ca.pem');
  return {
    dir,
    caFile,
    caPem: readFileSync(caFile, 'utf8'),
    issue(name, request) {
      const san = [
        ...(request.dnsNames ?? []).map((d) => `DNS:${d}`),
        ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
      ];
      const ext = join(dir, `${name}.ext`);
      writeFileSync(
        ext,
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth',
          ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
          '',
        ].join('\n'),
      );
      const cn = request.dnsNames?.[0] ?? request.ipAddresses?.[0] ?? name;
      openssl(dir, ['req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
      const validity =
        request.startDate || request.endDate
          ? ['-startdate', request.startDate ?? opensslDate(-1), '-enddate', request.endDate ?? opensslDate(90)]
          : ['-startdate', opensslDate(-1), '-enddate', opensslDate(request.days ?? 90)];
      openssl(dir, [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        'ca.pem',
        '-keyfile',
        'ca.key',
        '-in',
        `${name}.csr`,
        '-out',
        `${name}.pem`,
        '-extfile',
        ext,
        ...validity,
      ]);
      const certFile = join(dir, `${name}.pem`);
      const keyFile = join(dir, `${name}.key`);
      return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
