import { Injectable } from '@nestjs/common';
import { OwnerMailboxesRepository } from '../owners/owner-mailboxes.repository.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { Person } from './person.js';

export type LoginKind = 'staff' | 'mailbox';

/** What checking one login found: the person when the password is right and the account usable. */
export interface LoginCheck {
  person: Person | null;
  /** The account the attempt named, right or wrong (audit, monitoring); null when there is none. */
  account: Person | null;
}

/**
 * One address, two kinds of account. Without `kind`, a staff account with the address wins
 * (README, "People and logins"); a mailbox owner whose address is also a staff address sends
 * `kind: "mailbox"`. Exactly one hash is verified per attempt (a decoy when there is no account),
 * so the answer's timing does not tell which kind of account, if any, exists.
 */
@Injectable()
export class LoginCredentials {
  private decoyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly mailboxes: OwnerMailboxesRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async check(email: string, password: string, kind?: LoginKind): Promise<LoginCheck> {
    const user = kind === 'mailbox' ? null : await this.users.findByEmail(email);
    const mailbox = user || kind === 'staff' ? null : await this.mailboxes.findByAddress(email);
    const account: Person | null = user ? { kind: 'user', user } : mailbox ? { kind: 'mailbox', mailbox } : null;
    this.decoyHash ??= this.hasher.hash('decoy password for absent accounts');
    const matches = await this.hasher.verify(user?.passwordHash ?? mailbox?.passwordHash ?? (await this.decoyHash), password);
    // A disabled mailbox, or one the monitoring locked (a suspected break-in), opens no session either.
    const usable = user ? !user.disabledAt : mailbox ? mailbox.enabled && !mailbox.loginLockedAt : false;
    return { person: matches && usable ? account : null, account };
  }
}
