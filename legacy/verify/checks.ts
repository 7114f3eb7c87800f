/**
 * The network side of `verify`: each check makes one lookup, handshake or request and turns the answer into a
 * pass/fail line. Verdicts that need thought live in pure modules (certificate.ts, prometheus.ts).
 */
import { Resolver } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, connect, type PeerCertificate, rootCertificates } from 'node:tls';
import { judgeCentralConfig } from './central-config';
import { judgeCertificate } from './certificate';
import { judgeExporterMetrics } from './prometheus';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Hints for errors whose code alone does not say what to look at. */
const plainPort = 'the port does not answer TLS (plain HTTP?)';
const hints: Readonly<Record<string, string>> = {
  ERR_SSL_WRONG_VERSION_NUMBER: plainPort,
  ERR_SSL_PACKET_LENGTH_TOO_LONG: plainPort,
};

/**
 * An error as one line of the table. OpenSSL's errors carry a message with its error queue (`error:0A00010B:SSL
 * routines:...:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:354:` and a newline); their `reason` is the words.
 */
export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const message = String(err.message ?? e);
  // an https request wraps it as `write EPROTO <id>:error:0A00010B:SSL routines:<function>:<reason>:<file>:<line>:`
  const reason = err.reason ?? /error:[0-9A-F]{8}:[^:]*:[^:]*:([^:]+):/.exec(message)?.[1];
  const hint = (err.code ? hints[err.code] : undefined) ?? (reason === 'wrong version number' ? plainPort : undefined);
  const text = reason ?? message.replace(/\s+/g, ' ').trim();
  const said = err.code ? (text && !text.includes(err.code) ? `${err.code}: ${text}` : err.code) : text;
  return hint ? `${said}; ${hint}` : said;
}

/** The name must resolve, through the given server (or this machine's), to exactly the expected address. */
export async function checkResolves(
  name: string,
  hostname: string,
  expected: string,
  server: { address: string; port: number } | undefined,
  timeoutMs: number,
): Promise<CheckResult> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (server) resolver.setServers([`${server.address}:${server.port}`]);
  const via = server ? `${server.address}:${server.port}` : "this machine's resolvers";
  try {
    const answers = (await resolver.resolve4(hostname)).sort();
    const ok = answers.length === 1 && answers[0] === expected;
    return {
      name,
      ok,
      detail: ok ? `${expected} via ${via}` : `answered ${answers.join(', ')} via ${via}, expected only ${expected}`,
    };
  } catch (e) {
    return { name, ok: false, detail: `no answer via ${via}: ${describeError(e)}` };
  }
}

export interface TlsTarget {
  /** Address to connect to (the hostname itself unless overridden). */
  readonly connectHost: string;
  readonly port: number;
  /** The name the certificate must be valid for; also sent as SNI. */
  readonly hostname: string;
  /** Extra trusted CA (PEM), added to the public roots. */
  readonly ca?: string;
  readonly alpn?: readonly string[];
}

/** A full handshake; the certificate's chain, name and remaining validity are judged separately. */
export function checkTls(name: string, target: TlsTarget, minDays: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = connect({
      host: target.connectHost,
      port: target.port,
      servername: target.hostname,
      ca: target.ca ? [...rootCertificates, target.ca] : undefined,
      ALPNProtocols: target.alpn ? [...target.alpn] : undefined,
      // Verification is done below, so that the table can say *why* a certificate fails rather than just that it does.
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const finish = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0)
        return finish({ name, ok: false, detail: 'the server sent no certificate' });
      const identity = checkServerIdentity(target.hostname, cert);
      const verdict = judgeCertificate(
        {
          authorized: socket.authorized,
          authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
          identityError: identity?.message,
          validFrom: new Date(cert.valid_from),
          validTo: new Date(cert.valid_to),
        },
        target.hostname,
        minDays,
        new Date(),
      );
      finish({ name, ...verdict });
    });
    socket.once('timeout', () => finish({ name, ok: false, detail: `no TLS handshake within ${timeoutMs / 1000} s` }));
    socket.once('error', (e) => finish({ name, ok: false, detail: `TLS handshake failed: ${describeError(e)}` }));
  });
}

export interface HttpTarget {
  readonly url: URL;
  /** For https: connect here instead of the URL's host (SNI and Host header keep the URL's). */
  readonly connectHost?: string;
  readonly ca?: string;
}

/** GET a URL; resolves with the status and body (bodies are small: /-/ready and /metrics). */
function get(target: HttpTarget, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { url } = target;
    const secure = url.protocol === 'https:';
    const options = {
      method: 'GET',
      host: target.connectHost ?? url.hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host },
      timeout: timeoutMs,
      ...(secure ? { servername: url.hostname, ca: target.ca ? [...rootCertificates, target.ca] : undefined } : {}),
    };
    const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 8 * 1024 * 1024) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end();
  });
}

export async function checkReady(name: string, target: HttpTarget, timeoutMs: number): Promise<CheckResult> {
  try {
    const r = await get(target, timeoutMs);
    const body = r.body.trim().slice(0, 80);
    return { name, ok: r.status === 200, detail: `HTTP ${r.status}${body ? `: ${body}` : ''}` };
  } catch (e) {
    return { name, ok: false, detail: describeError(e) };
  }
}

export async function checkExporterMetrics(name: string, target: HttpTarget, timeoutMs: number): Promise<CheckResult> {
  try {
    const r = await get(target, timeoutMs);
    if (r.status !== 200) return { name, ok: false, detail: `GET ${target.url.pathname}: HTTP ${r.status}` };
    return { name, ...judgeExporterMetrics(r.body) };
  } catch (e) {
    return { name, ok: false, detail: describeError(e) };
  }
}

/** The central instance's running config against the expected hash, from its /metrics over verified HTTPS. */
export async function checkCentralConfig(
  name: string,
  target: HttpTarget,
  expectedHash: string,
  timeoutMs: number,
): Promise<CheckResult> {
  try {
    const r = await get(target, timeoutMs);
    if (r.status !== 200) return { name, ok: false, detail: `GET ${target.url.pathname}: HTTP ${r.status}` };
    return { name, ...judgeCentralConfig(r.body, expectedHash) };
  } catch (e) {
    return { name, ok: false, detail: describeError(e) };
  }
}
