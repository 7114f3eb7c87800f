/**
 * Bounded retries for the SaaS APIs (Cloudflare, OPNsense): 429 and 5xx are retried with exponential backoff, a
 * `Retry-After` answer is honoured, and both the number of attempts and any single wait are capped so that a long
 * rate-limit window fails fast with a clear message instead of hanging the CLI.
 */
export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A server asking to wait longer than this is not waited for. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** A failed try as the retry loop sees it: `retryable` false ends the loop at once. */
export interface Failure {
  readonly retryable: boolean;
  /** Raw `Retry-After` value, seconds or an HTTP date. */
  readonly retryAfter?: string | null;
  /** Short description without secrets, e.g. `HTTP 429`. */
  readonly what: string;
}

/** Milliseconds a `Retry-After` value asks for, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before try number `attempt + 1` (attempt counts from 1), or a reason to stop. Pure apart from
 * `random`, which spreads concurrent clients (jitter takes off up to a quarter of the backoff).
 */
export function nextDelay(
  attempt: number,
  failure: Failure,
  policy: RetryPolicy,
  random: () => number = Math.random,
): { delayMs: number } | { stop: string } {
  if (!failure.retryable) return { stop: `${failure.what} (not retried)` };
  if (attempt >= policy.maxAttempts) return { stop: `${failure.what}; gave up after ${attempt} attempts` };
  const asked = parseRetryAfter(failure.retryAfter);
  if (asked !== undefined) {
    if (asked > policy.maxRetryAfterMs) {
      return {
        stop: `${failure.what}; the server asks to wait ${Math.ceil(asked / 1000)} s, more than the ${policy.maxRetryAfterMs / 1000} s this tool waits`,
      };
    }
    return { delayMs: asked };
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return { delayMs: Math.round(backoff * (1 - random() * 0.25)) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until it succeeds or `nextDelay` says stop; `classify` turns a thrown error into a Failure, or
 * returns undefined for errors that are not transport problems. Errors that are not retryable are rethrown as
 * they are, so the caller can explain them (e.g. which credential to fix).
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  classify: (e: unknown) => Failure | undefined,
  options: { policy?: RetryPolicy; log?: (line: string) => void; label: string; wait?: (ms: number) => Promise<void> },
): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const failure = classify(e);
      if (!failure?.retryable) throw e;
      const next = nextDelay(attempt, failure, policy);
      if ('stop' in next) throw new RetriesExhausted(`${options.label}: ${next.stop}`, e);
      options.log?.(
        `${options.label}: ${failure.what}, retrying in ${(next.delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1}/${policy.maxAttempts})`,
      );
      await wait(next.delayMs);
    }
  }
}

export class RetriesExhausted extends Error {
  constructor(
    message: string,
    readonly last: unknown,
  ) {
    super(message);
    this.name = 'RetriesExhausted';
  }
}
