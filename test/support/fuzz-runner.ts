import type { Redis } from 'ioredis';
import type { TestApi } from './api.js';
import { type DbSnapshot, type DbSnapshotter, changed } from './db-snapshot.js';
import type { FuzzRequest } from './fuzz-variants.js';

export interface FuzzResult {
  status?: number;
  contentType?: string;
  code?: string;
  /** The start of a refusal's body, for a finding's message. */
  excerpt?: string;
  /** Why the request failed a rule; undefined when it passed. */
  failure?: string;
}

export interface FuzzFinding {
  operation: string;
  variant: string;
  finding: string;
}

const REQUEST_TIMEOUT_MS = 20_000;
/** Requests in flight at once; the database is compared before and after each such batch. */
export const FUZZ_CONCURRENCY = 8;
const MAX_RECHECK_DEPTH = 3;

/**
 * Sends fuzz requests to the app and holds each answer to the rules of "Bad input": no 5xx, no
 * dropped connection, problem+json with a `code` on every 4xx, and no database change from a 4xx.
 */
export class FuzzRunner {
  readonly findings: FuzzFinding[] = [];
  /** Variants answered 2xx: no rule broken, but worth a look when a finding is investigated. */
  readonly accepted: string[] = [];
  sent = 0;
  snapshotMs = 0;
  private latest?: DbSnapshot;

  constructor(
    private readonly api: TestApi,
    private readonly snapshots: DbSnapshotter,
    private readonly redis: Redis,
  ) {}

  async send(request: FuzzRequest): Promise<FuzzResult> {
    this.sent++;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.api.baseUrl + request.url, {
        method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      return { failure: `connection dropped or no answer (${cause})` };
    }
    const contentType = response.headers.get('content-type') ?? '';
    const result: FuzzResult = { status: response.status, contentType };
    if (response.status >= 500) return { ...result, failure: `${response.status}: ${text.slice(0, 300)}` };
    if (response.status < 400) return result;
    let code: unknown;
    try {
      code = JSON.parse(text).code;
    } catch {
      code = undefined;
    }
    if (isExchangeProtocolError(request, response.status, text)) return result;
    if (!contentType.startsWith('application/problem+json') || typeof code !== 'string') {
      return { ...result, failure: `${response.status} is not problem+json with a code (${contentType}): ${text.slice(0, 200)}` };
    }
    return { ...result, code, excerpt: text.slice(0, 300) };
  }

  /** A 429 of a per-IP public limit is the limit working, not an answer to the input: reset it and resend once. */
  private async sendUnthrottled(request: FuzzRequest): Promise<FuzzResult> {
    const result = await this.send(request);
    if (result.code !== 'rate_limited') return result;
    await this.resetRateLimits();
    return this.send(request);
  }

  async resetRateLimits(): Promise<void> {
    const prefix = this.redis.options.keyPrefix ?? '';
    const keys = await this.redis.keys(`${prefix}*rate*`);
    if (keys.length) await this.redis.del(...keys.map((key) => key.slice(prefix.length)));
  }

  private record(operation: string, request: FuzzRequest, finding: string): void {
    this.findings.push({ operation, variant: request.label, finding });
  }

  /** Sends `requests` FUZZ_CONCURRENCY at a time; returns each one's result. */
  async run(operation: string, requests: FuzzRequest[]): Promise<FuzzResult[]> {
    const results: FuzzResult[] = [];
    for (let i = 0; i < requests.length; i += FUZZ_CONCURRENCY) {
      const chunk = requests.slice(i, i + FUZZ_CONCURRENCY);
      const answers = await this.batch(operation, chunk, 0);
      // Findings come from the first send only; re-sends inside batch() only locate a database change.
      answers.forEach((r, j) => r.failure && this.record(operation, chunk[j], r.failure));
      answers.forEach((r, j) => r.status! < 300 && this.accepted.push(`${operation} ${chunk[j].label}`));
      results.push(...answers);
    }
    return results;
  }

  /**
   * One batch between two snapshots. When every answer is a 4xx the database must be as before;
   * when some were accepted their changes hide the others', so the refused ones are sent again on
   * their own, and a changed batch of refusals is split until the request that wrote is found.
   */
  private async batch(operation: string, requests: FuzzRequest[], depth: number): Promise<FuzzResult[]> {
    let t = Date.now();
    // Nothing writes between batches (login events are drained by take()), so the last batch's
    // closing snapshot is this one's opening one.
    const before = this.latest ?? (await this.snapshots.take());
    this.snapshotMs += Date.now() - t;
    const results = await Promise.all(requests.map((r) => this.sendUnthrottled(r)));
    t = Date.now();
    const after = await this.snapshots.take();
    this.latest = after;
    this.snapshotMs += Date.now() - t;
    const refused = requests.filter((_, i) => isRefusal(results[i]));
    if (!changed(before, after) || !refused.length) return results;
    if (RECORDED_REFUSALS[operation] && (await this.snapshots.tablesWrittenSince(before)).every((t) => RECORDED_REFUSALS[operation].includes(t))) return results;
    if (refused.length < requests.length) {
      if (depth < MAX_RECHECK_DEPTH) await this.batch(operation, refused, depth + 1);
      else refused.forEach((r) => this.record(operation, r, 'could not be checked alone: accepted requests kept changing the database'));
    } else if (requests.length === 1) {
      const writes = await this.snapshots.changesSince(before);
      this.record(operation, requests[0], `${results[0].status} ${results[0].code} but wrote: ${writes.join(' | ')}`);
    } else {
      const half = Math.ceil(requests.length / 2);
      await this.batch(operation, requests.slice(0, half), depth);
      await this.batch(operation, requests.slice(half), depth);
    }
    return results;
  }
}

/**
 * Autodiscover v2 answers an unknown `Protocol` in Exchange's own JSON error format, because that
 * is what Outlook reads there (src/settings-lookup/autodiscover-v2.renderer.ts): the one 4xx that
 * is rightly not problem+json.
 */
function isExchangeProtocolError(request: FuzzRequest, status: number, text: string): boolean {
  if (status !== 400 || !/^\/autodiscover\/autodiscover\.json/i.test(request.url)) return false;
  try {
    return JSON.parse(text).ErrorCode === 'InvalidProtocol';
  } catch {
    return false;
  }
}

/** Refusals that write by design: a failed login is a login event (issue 12), like Dovecot's reports. */
const RECORDED_REFUSALS: Record<string, string[]> = { 'POST /v1/auth/login': ['login_events'] };

const isRefusal = (r: FuzzResult) => r.status !== undefined && r.status >= 400 && r.status < 500;
