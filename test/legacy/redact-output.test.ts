/**
 * The one redaction every printed line goes through (issue #17 §5): the run's credential values in each form they
 * travel in, wherever a line got them from, and terminal control characters shown escaped.
 */
import { processReport } from '../../legacy/dns/report';
import { consoleOutput } from '../../legacy/shared/output';
import { credentialValues, redactOutput } from '../../legacy/shared/redact-output';

const env = {
  CLOUDFLARE_API_TOKEN: 'cf-token-Zq81xVb',
  OPNSENSE_API_KEY: 'opn-key-7fA2',
  OPNSENSE_API_SECRET: 'opn/secret+9=',
};

describe('redactOutput', () => {
  it('removes every credential value, its URL-encoded form and the key:secret Basic form', () => {
    const basic = Buffer.from(`${env.OPNSENSE_API_KEY}:${env.OPNSENSE_API_SECRET}`).toString('base64');
    const text = `zone ${env.CLOUDFLARE_API_TOKEN} at https://fw/${encodeURIComponent(env.OPNSENSE_API_SECRET)}/api Basic ${basic} key ${env.OPNSENSE_API_KEY}`;
    expect(redactOutput(text, env)).toBe(
      'zone [redacted] at https://fw/[redacted]/api Basic [redacted] key [redacted]',
    );
    expect(credentialValues(env)).toContain(basic);
  });

  it('keeps what only looks like a token (a config hash, a uuid) and text without credentials', () => {
    const hash = `${'f'.repeat(8)}${'0123456789abcdef'.repeat(3)}a1b2c3d4`; // 64 hex digits, a sha256
    const line = `config ${hash}, uuid 1b4e28ba-2fa1-11d2-883f-0016d3cca427`;
    expect(redactOutput(line, env)).toBe(line);
    expect(redactOutput(line, {})).toBe(line);
  });

  it('shows control characters escaped, keeping line breaks, tabs and colours (a painted plan)', () => {
    expect(redactOutput('a\u001b[2Jb\r\n\tc\u0007', {})).toBe('a\\x1b[2Jb\\x0d\n\tc\\x07');
    expect(redactOutput('  \u001b[32m+\u001b[0m create', {})).toBe('  \u001b[32m+\u001b[0m create');
  });
});

describe('the writers apply it to every line', () => {
  let written: string[];
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    written = [];
    saved = { ...process.env };
    Object.assign(process.env, env);
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = saved;
  });

  it('dns/verify report: plain lines and --verbose detail (a server echoing the token as a zone id)', () => {
    const report = processReport({ verbose: true });
    report.detail(`GET https://api.cloudflare.com/client/v4/zones/${env.CLOUDFLARE_API_TOKEN}/dns_records → 200`);
    report.line(`  ~ update host override  description "x ${env.OPNSENSE_API_SECRET}" → "managed"`);
    expect(written.join('')).not.toMatch(/cf-token|opn\/secret/);
    expect(written.join('')).toContain('zones/[redacted]/dns_records');
  });

  it('deploy, plan and status output: progress, warnings, text and --json results', () => {
    for (const json of [false, true]) {
      const out = consoleOutput(json);
      out.progress(`connecting with ${env.OPNSENSE_API_KEY}`);
      out.warn(`odd ${env.CLOUDFLARE_API_TOKEN}`);
      out.text(`plan ${env.OPNSENSE_API_SECRET}`);
      out.result({ note: env.CLOUDFLARE_API_TOKEN });
    }
    expect(written.join('')).not.toMatch(/cf-token|opn-key|opn\/secret/);
    expect(written.join('')).toContain('"note": "[redacted]"');
  });
});
