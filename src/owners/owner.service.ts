import { Injectable } from '@nestjs/common';
import { AppPasswordsService } from '../app-passwords/app-passwords.service.js';
import type { AppPasswordCreateDto } from '../app-passwords/app-passwords.dto.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { MailboxesService } from '../mailboxes/mailboxes.service.js';
import { parseEmail } from '../settings-lookup/email-address.js';
import { SettingsLookupService } from '../settings-lookup/settings-lookup.service.js';
import type { OwnMailboxUpdateDto } from './owner.dto.js';

/**
 * A mailbox owner's own mailbox. Each call goes through the same service an API key's would, with
 * the owner as the caller (its mailbox's tenant, the owner as audit actor) and its own mailbox id:
 * the rules (TOTP before requireAppPasswords, app-password limits) are the same.
 */
@Injectable()
export class OwnerService {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly appPasswords: AppPasswordsService,
    private readonly lookup: SettingsLookupService,
  ) {}

  settings(caller: Caller) {
    return this.lookup.settings(caller, parseEmail(ownMailbox(caller).email)!);
  }

  async update(caller: Caller, dto: OwnMailboxUpdateDto) {
    const updated = await this.mailboxes.update(caller, ownMailbox(caller).id, { requireAppPasswords: dto.requireAppPasswords });
    return { id: updated.id, address: updated.address, requireAppPasswords: updated.requireAppPasswords };
  }

  createAppPassword(caller: Caller, dto: AppPasswordCreateDto) {
    return this.appPasswords.create(caller, ownMailbox(caller).id, dto);
  }

  listAppPasswords(caller: Caller) {
    return this.appPasswords.list(caller, ownMailbox(caller).id);
  }

  revokeAppPassword(caller: Caller, id: string) {
    return this.appPasswords.revoke(caller, ownMailbox(caller).id, id);
  }
}

/** The mailbox of an owner's session; staff and API keys manage mailboxes at /v1/mailboxes. */
export function ownMailbox(caller: Caller): { id: string; email: string } {
  if (caller.principal.kind !== 'mailbox') {
    throw Problem.forbidden('mailbox_session_required', 'Only a mailbox owner logged in with its address has a mailbox of its own; use /v1/mailboxes.');
  }
  return caller.principal;
}
