import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { MailDirectoryWatch } from './mail-directory-watch.js';

// Answers kept per (login, sender): a mail program's session asks the same at every RCPT TO. All
// are forgotten at any change of the mail directory; past this many, all are forgotten too.
const MAX_CACHED_SUBMITTERS = 50_000;

/** The mailbox a SASL login is, with what decides whether and how much it may send. */
export interface SubmitterRow {
  mailboxId: string;
  domainId: string;
  mayLogIn: boolean;
  smtpEnabled: boolean;
  suspendedAt: Date | null;
  mailboxLimits: unknown;
  domainLimits: unknown;
}

export type Submitter = SubmitterRow & { senderOwners: string[] };

export interface SubmissionRow {
  mailboxId: string;
  sender: string;
  recipients: number;
  size: number;
  queueId: string | null;
  clientAddress: string | null;
}

/**
 * The policy service's statements, as plain SQL on Prisma's own pg pool: they run at every
 * RCPT TO Postfix receives, where Prisma 6's per-query WASM compilation would be most of the cost.
 * Named, so each pooled connection prepares them once: planning a query on the views (a union of
 * joins) costs PostgreSQL ~10× more than running it, and a prepared statement keeps its plan.
 */
@Injectable()
export class PolicyRepository {
  private readonly cache = new Map<string, Submitter | null>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly directory: MailDirectoryWatch,
  ) {
    directory.onChange(() => this.cache.clear());
  }

  /**
   * The login's mailbox and, when `sender` is given, the logins that own that sender by the view
   * Postfix's smtpd_sender_login_maps reads. From memory while the mail directory has not changed
   * since it was read (MailDirectoryWatch), else one round trip: Postfix waits at every RCPT TO.
   */
  async submitter(login: string, sender?: string): Promise<Submitter | null> {
    const key = `${login}\n${sender ?? ''}`;
    if (this.directory.live && this.cache.has(key)) return this.cache.get(key)!;
    const generation = this.directory.generation;
    const found = await this.lookUp(login, sender);
    if (this.directory.live && this.directory.generation === generation) {
      if (this.cache.size >= MAX_CACHED_SUBMITTERS) this.cache.clear();
      this.cache.set(key, found);
    }
    return found;
  }

  private async lookUp(login: string, sender?: string): Promise<Submitter | null> {
    const at = sender ? sender.lastIndexOf('@') : -1;
    const domain = at > 0 ? sender!.slice(at + 1) : null;
    const { rows } = await this.prisma.pool.query<SubmitterRow & { owners: { sender: string; login: string }[] | null }>({
      name: 'policy-submitter',
      text: `SELECT m.id AS "mailboxId", m.domain_id AS "domainId", m.enabled AND d.status = 'active' AS "mayLogIn",
                    m.smtp_enabled AS "smtpEnabled", m.sending_suspended_at AS "suspendedAt",
                    m.send_limits AS "mailboxLimits", d.send_limits AS "domainLimits",
                    (SELECT json_agg(json_build_object('sender', s.sender, 'login', s.login)) FROM mail_sender_logins s
                      WHERE $3::text IS NOT NULL AND s.domain = $3 AND s.sender IN ($2, '@' || $3)) AS owners
               FROM mailboxes m JOIN domains d ON d.id = m.domain_id
              WHERE m.address = $1`,
      values: [login, sender ?? null, domain],
    });
    const row = rows[0];
    if (!row) return null;
    const { owners, ...submitter } = row;
    return { ...submitter, senderOwners: sender ? ownersOf(sender, owners ?? []) : [] };
  }

  async recordSubmission(row: SubmissionRow): Promise<void> {
    await this.prisma.pool.query({
      name: 'policy-record-submission',
      text: `INSERT INTO mail_submissions (id, mailbox_id, sender, recipients, size, queue_id, client_address)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
      values: [row.mailboxId, row.sender, row.recipients, row.size, row.queueId, row.clientAddress],
    });
  }
}

/** As Postfix looks the sender up: the address itself, and only when it has no owner at all, `@domain`. */
function ownersOf(sender: string, rows: { sender: string; login: string }[]): string[] {
  const exact = rows.filter((r) => r.sender === sender);
  return (exact.length ? exact : rows.filter((r) => r.sender.startsWith('@'))).map((r) => r.login);
}
