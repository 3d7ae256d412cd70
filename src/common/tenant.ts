import type { Caller } from '../auth/caller.js';

// The tenant a request acts for. Repositories take one and filter every query with it, so an
// object of another tenant is simply not found (404, exactly like a missing one).
export class Tenant {
  private constructor(readonly resellerId: string | null) {}

  static of(caller: Caller): Tenant {
    return new Tenant(caller.resellerId);
  }

  get isPlatform(): boolean {
    return this.resellerId === null;
  }

  /** For rows that carry `resellerId` themselves (api keys, domains). */
  ownerFilter(): { resellerId?: string } {
    return this.isPlatform ? {} : { resellerId: this.resellerId! };
  }

  /** For rows that belong to a domain (mailboxes, aliases, domain aliases). */
  domainFilter(): { domain?: { resellerId: string } } {
    return this.isPlatform ? {} : { domain: { resellerId: this.resellerId! } };
  }
}
