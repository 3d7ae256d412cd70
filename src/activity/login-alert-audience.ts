// Who hears about an IP rule that fired, and what each may see (README "Activity monitoring").
// An alert belongs to one owner — a tenant or the platform — and tells it about its own accounts
// only: one IP failing against two tenants' mailboxes must not show either the other's addresses.

/** What an IP rule's alert carries at most: the platform's view of it. */
export interface IpEvidence extends Record<string, unknown> {
  remoteIp: string;
  accounts: string[];
  lastAttempt: { login: string };
}

export interface AlertShare {
  /** The tenant, or null for the platform. */
  resellerId: string | null;
  evidence: Record<string, unknown>;
  /** The owner holds every account involved: its evidence is the whole of it. */
  whole: boolean;
}

/**
 * `owners`: account → tenant of its mailbox (null: a mailbox of the platform's own domains; absent:
 * no such mailbox). `tenantId`: the rule fired in that tenant's own windows (its own reports);
 * null: in the platform's (Dovecot's hook, platform keys).
 *
 * Every tenant whose accounts are involved gets a share with its own accounts. The platform gets
 * the whole evidence of a platform-wide detection that is not one tenant's alone (several tenants,
 * or accounts no tenant holds); one tenant's alone is that tenant's alert, which the platform lists too.
 */
export function ipAlertShares(evidence: IpEvidence, owners: Map<string, string | null>, tenantId: string | null): AlertShare[] {
  const byTenant = new Map<string, string[]>();
  let unowned = false;
  for (const account of evidence.accounts) {
    const owner = owners.get(account);
    if (owner) byTenant.set(owner, [...(byTenant.get(owner) ?? []), account]);
    else unowned = true;
  }
  const shareOf = (resellerId: string, own: string[]): AlertShare => {
    const whole = own.length === evidence.accounts.length;
    return { resellerId, whole, evidence: whole ? evidence : partialEvidence(evidence, own) };
  };
  if (tenantId !== null) {
    // A tenant's windows hold only accounts it reported, all its own (unless a mailbox changed hands since).
    const own = byTenant.get(tenantId) ?? [];
    return own.length ? [shareOf(tenantId, own)] : [];
  }
  const shares = [...byTenant].map(([resellerId, own]) => shareOf(resellerId, own));
  if (unowned || byTenant.size !== 1) shares.push({ resellerId: null, whole: true, evidence });
  return shares;
}

/** A tenant's part: its own accounts, and the last attempt only when it was against one of them. */
function partialEvidence(evidence: IpEvidence, own: string[]): Record<string, unknown> {
  return {
    rule: evidence.rule,
    remoteIp: evidence.remoteIp,
    distinctAccounts: own.length,
    accounts: own,
    ...(own.includes(evidence.lastAttempt.login) && { lastAttempt: evidence.lastAttempt }),
  };
}
