import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import type { LoginBlocks, LoginCounts, LoginOutcome } from './login-policy.js';
import { blockSeconds } from './login-policy.js';
import type { LoginRule, LoginRuleName, LoginRules } from './login-rules.js';

/** A login as a mail service reported it. */
export interface LoginEvent {
  login: string;
  remoteIp: string;
  protocol: string;
  outcome: LoginOutcome;
  source: 'dovecot' | 'events' | 'web';
  /** Epoch milliseconds. */
  at: number;
  /**
   * The tenant whose own API key posted it. Its IP windows are that tenant's alone, and an IP
   * block they fire holds for that tenant's domains only. Absent: platform-wide (Dovecot's hook,
   * platform keys).
   */
  resellerId?: string;
}

/** An IP rule firing in one tenant's own windows: the block covers the tenant's domains (loaded once claimed). */
export interface TenantScope {
  resellerId: string;
  domains: () => Promise<string[]>;
}

export const LOGIN_EVENTS_KEY = 'auth:events';
// Bounds Redis memory if nothing drains the list (PostgreSQL down for long): the oldest go first.
const MAX_QUEUED_EVENTS = 200_000;

// Per-IP windows and rule guards are the platform's (`auth:`) or one tenant's (`auth:t:<id>:`): a
// tenant's reports must not count towards, or fire, a block on the whole platform. Per-account
// keys need no tenant: a tenant reports only its own accounts.
const scope = (resellerId?: string) => (resellerId ? `auth:t:${resellerId}:` : 'auth:');

const key = {
  ipFailures: (ip: string, resellerId?: string) => `${scope(resellerId)}fail:ip:${ip}`,
  accountFailures: (login: string) => `auth:fail:acct:${login}`,
  ipAccounts: (ip: string, resellerId?: string) => `${scope(resellerId)}spray:${ip}`,
  accountIps: (login: string) => `auth:ips:acct:${login}`,
  accountNetworks: (login: string) => `auth:nets:${login}`,
  ipBlock: (ip: string) => `auth:block:ip:${ip}`,
  // A tenant's block of an IP, one key per domain of the tenant: the allow check knows the login's
  // domain without asking PostgreSQL, so it reads this in the same MGET.
  domainIpBlock: (ip: string, domain: string) => `auth:block:ip:${ip}:dom:${domain}`,
  accountBlock: (login: string) => `auth:block:acct:${login}`,
  locked: (login: string) => `auth:locked:${login}`,
  fired: (rule: string, subject: string, resellerId?: string) => `${scope(resellerId)}fired:${rule}:${subject}`,
  repeats: (rule: string, subject: string, resellerId?: string) => `${scope(resellerId)}repeat:${rule}:${subject}`,
};

function domainOf(login: string): string {
  const at = login.lastIndexOf('@');
  return at < 0 ? '' : login.slice(at + 1);
}

// One atomic step per reported login. Sliding windows are sorted sets scored by time: an entry
// counts while now - t < window (ZREMRANGEBYSCORE drops t <= now - window), and each set keeps
// only its newest `cap` entries, so a flood costs bounded memory. A policy-rejected login
// counts nowhere: a blocked client cannot extend its own block.
const RECORD_LOGIN = `
local now = tonumber(ARGV[1])
local id, login, ip, net, outcome = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ipWin, acctWin, sprayWin, safWin, netWin = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local cap, maxEvents = tonumber(ARGV[12]), tonumber(ARGV[14])
local function slide(k, member, win)
  redis.call('ZADD', k, now, member)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now - win)
  redis.call('ZREMRANGEBYRANK', k, 0, -(cap + 1))
  redis.call('PEXPIRE', k, win)
  return redis.call('ZCARD', k)
end
local ipFailures, acctFailures, ipAccounts, recent, seen, known = 0, 0, 0, 0, 0, 0
if outcome == 'failure' then
  ipFailures = slide(KEYS[1], id, ipWin)
  slide(KEYS[2], id, math.max(acctWin, safWin))
  acctFailures = redis.call('ZCOUNT', KEYS[2], '(' .. (now - acctWin), '+inf')
  ipAccounts = slide(KEYS[3], login, sprayWin)
  slide(KEYS[4], ip, acctWin)
elseif outcome == 'success' then
  recent = redis.call('ZCOUNT', KEYS[2], '(' .. (now - safWin), '+inf')
  if net ~= '' then
    local entries = redis.call('HGETALL', KEYS[5])
    for i = 1, #entries, 2 do
      if tonumber(entries[i + 1]) <= now - netWin then redis.call('HDEL', KEYS[5], entries[i]) end
    end
    seen = redis.call('HEXISTS', KEYS[5], net)
    known = redis.call('HLEN', KEYS[5])
    redis.call('HSET', KEYS[5], net, now)
    redis.call('PEXPIRE', KEYS[5], netWin)
  end
end
redis.call('RPUSH', KEYS[6], ARGV[13])
redis.call('LTRIM', KEYS[6], -maxEvents, -1)
return {ipFailures, acctFailures, ipAccounts, recent, seen, known}
`;

// A rule fires once per subject while its guard lives; a repeat within the rule's memory blocks
// longer. Returns the repeat number when this call is the firing, 0 when it already fired.
const FIRE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) == false then return 0 end
local n = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return n
`;

@Injectable()
export class LoginCounters {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Whether commands would be sent now (ioredis queues them while it reconnects). */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  /** The blocks in force for one login attempt: one round trip. */
  async blocks(ip: string, login: string): Promise<LoginBlocks> {
    const [ipBlock, tenantIpBlock, accountBlock, locked] = await this.redis.mget(
      key.ipBlock(ip), key.domainIpBlock(ip, domainOf(login)), key.accountBlock(login), key.locked(login));
    return { ipBlock: ipBlock ?? null, tenantIpBlock: tenantIpBlock ?? null, accountBlock: accountBlock ?? null, locked: locked !== null };
  }

  async record(event: LoginEvent, network: string | null, rules: LoginRules): Promise<LoginCounts> {
    const ms = (name: LoginRuleName) => rules[name].windowSeconds * 1000;
    const cap = Math.max(...Object.values(rules).map((rule) => rule.threshold)) + 1;
    const id = `${event.at}-${randomBytes(6).toString('base64url')}`;
    const result = (await this.redis.eval(
      RECORD_LOGIN, 6,
      key.ipFailures(event.remoteIp, event.resellerId), key.accountFailures(event.login), key.ipAccounts(event.remoteIp, event.resellerId),
      key.accountIps(event.login), key.accountNetworks(event.login), LOGIN_EVENTS_KEY,
      event.at, id, event.login, event.remoteIp, network ?? '', event.outcome,
      ms('failuresPerIp'), ms('failuresPerAccount'), ms('passwordSpraying'), ms('successAfterFailures'), ms('newNetwork'),
      cap, JSON.stringify(event), MAX_QUEUED_EVENTS,
    )) as number[];
    const [ipFailures, accountFailures, ipDistinctAccounts, recentAccountFailures, seen, knownNetworks] = result.map(Number);
    return { ipFailures: ipFailures!, accountFailures: accountFailures!, ipDistinctAccounts: ipDistinctAccounts!, recentAccountFailures: recentAccountFailures!, networkSeen: seen === 1, knownNetworks: knownNetworks! };
  }

  /**
   * Claims the firing of `rule` on `subject`; when claimed, puts the rule's block on the subject
   * (`block` null: none) and returns its length in seconds (0 for a rule that does not block).
   * Null: the rule already fired on this subject and its guard is still in force. With `tenant`
   * (an IP rule fired in that tenant's own windows) the guard is the tenant's and the IP is
   * blocked for the tenant's domains only.
   */
  async fire(name: LoginRuleName, rule: LoginRule, subject: { kind: 'ip' | 'account'; value: string }, block: string | null, tenant?: TenantScope): Promise<number | null> {
    const subjectKey = `${subject.kind}:${subject.value}`;
    const fired = key.fired(name, subjectKey, tenant?.resellerId);
    // Until the first block length is known, guard for the longest it could be; shortened below.
    const guardMs = Math.max(rule.maxBlockSeconds, rule.blockSeconds, rule.windowSeconds) * 1000;
    const repeat = Number(await this.redis.eval(FIRE, 2, fired, key.repeats(name, subjectKey, tenant?.resellerId), guardMs, rule.repeatMemorySeconds * 1000));
    if (repeat === 0) return null;
    const seconds = blockSeconds(rule, repeat);
    const multi = this.redis.multi().pexpire(fired, Math.max(seconds, block ? 0 : rule.windowSeconds) * 1000);
    if (block) {
      const targets = subject.kind === 'account' ? [key.accountBlock(subject.value)]
        : tenant ? (await tenant.domains()).map((domain) => key.domainIpBlock(subject.value, domain))
        : [key.ipBlock(subject.value)];
      for (const target of targets) multi.set(target, block, 'PX', seconds * 1000);
    }
    await multi.exec();
    return block ? seconds : 0;
  }

  /** The accounts an IP failed against (in one tenant's own windows, or the platform's), and the IPs an account failed from (evidence). */
  async recentAccountsOf(ip: string, resellerId?: string): Promise<string[]> {
    return this.redis.zrange(key.ipAccounts(ip, resellerId), '0', '-1');
  }

  async recentIpsOf(login: string): Promise<string[]> {
    return this.redis.zrange(key.accountIps(login), '0', '-1');
  }

  async setLocked(login: string, locked: boolean): Promise<void> {
    if (locked) await this.redis.set(key.locked(login), '1');
    else await this.redis.del(key.locked(login));
  }
}
