/** Defect 8 (issue #10): server error text is printed only after credentials and credential-shaped parts are gone. */
import { cloudflareBaseUrl } from '../../legacy/dns/cloudflare/run';
import { redactCredentials } from '../../legacy/dns/redact';

describe('redactCredentials', () => {
  it('removes the run’s own secrets wherever they appear, longest first', () => {
    expect(redactCredentials('token abc123SECRET was rejected (abc123SECRETx)', ['abc123SECRET'])).toBe(
      'token [redacted] was rejected ([redacted]x)',
    );
  });

  it('removes Authorization values and credential assignments it was not told about', () => {
    expect(redactCredentials('got Authorization: Bearer eyJhbGciOi.x-y_z and Basic a2V5OnNlY3JldA==')).toBe(
      'got Authorization: Bearer [redacted] and Basic [redacted]',
    );
    expect(redactCredentials('X-Auth-Key: 0123abcd api_key=hunter2 "token":"t0k" password = pw;')).toBe(
      'X-Auth-Key: [redacted] api_key=[redacted] "token":"[redacted]" password = [redacted];',
    );
  });

  it('removes long opaque tokens but keeps Cloudflare ids, UUIDs, URL paths and plain words', () => {
    const id = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';
    const uuid = '0f1c2d3e-4b5a-4c6d-8e9f-a0b1c2d3e4f5';
    const text = `record ${id} / override ${uuid} at /zones/${id}/dns_records: invalid credential Zk3R9xQ2mLw8Vb4Nc7Ty1Ps6Hd5Jf0Ga`;
    expect(redactCredentials(text)).toBe(
      `record ${id} / override ${uuid} at /zones/${id}/dns_records: invalid credential [redacted]`,
    );
    expect(redactCredentials('An A, AAAA, or CNAME record with that host already exists.')).toBe(
      'An A, AAAA, or CNAME record with that host already exists.',
    );
  });
});

describe('CLOUDFLARE_BASE_URL', () => {
  it('is refused unless https (the token would travel in clear text), and must not hold credentials', () => {
    expect(() => cloudflareBaseUrl({ CLOUDFLARE_BASE_URL: 'http://127.0.0.1:8080/client/v4' })).toThrow(
      'CLOUDFLARE_BASE_URL must be an https:// URL: the API token must not travel in clear text',
    );
    expect(() => cloudflareBaseUrl({ CLOUDFLARE_BASE_URL: 'HTTP://api.example/client/v4' })).toThrow(/https:\/\//);
    expect(() => cloudflareBaseUrl({ CLOUDFLARE_BASE_URL: 'api.cloudflare.com' })).toThrow(/is not a URL/);
    expect(() => cloudflareBaseUrl({ CLOUDFLARE_BASE_URL: 'https://u:p@proxy.example/client/v4' })).toThrow(
      /must not hold credentials/,
    );
    expect(cloudflareBaseUrl({ CLOUDFLARE_BASE_URL: 'https://proxy.example/client/v4' })).toBe(
      'https://proxy.example/client/v4',
    );
    expect(cloudflareBaseUrl({})).toBeUndefined();
  });
});
