import { Injectable } from '@nestjs/common';
import type { Session, User } from '../generated/prisma/client.js';
import { ownerMailboxOf } from '../owners/owner-mailboxes.repository.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { Person } from './person.js';

/** Whose sessions: a staff user's or a mailbox owner's (part C: sessions.mailbox_id). */
export type SessionOwner = { kind: Person['kind']; id: string };

const ownerWhere = (owner: SessionOwner) => (owner.kind === 'user' ? { userId: owner.id } : { mailboxId: owner.id });

@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: { tokenHash: string; owner: SessionOwner; ip: string; userAgent: string | null; expiresAt: Date }): Promise<Session> {
    const { owner, ...rest } = data;
    return this.prisma.session.create({ data: { ...rest, ...ownerWhere(owner) } });
  }

  async findByTokenHash(tokenHash: string): Promise<(Session & { person: Person }) | null> {
    const found = await this.prisma.session.findUnique({
      where: { tokenHash },
      include: {
        user: true,
        mailbox: { select: { id: true, address: true, passwordHash: true, enabled: true, loginLockedAt: true, requireAppPasswords: true, domain: { select: { resellerId: true } } } },
      },
    });
    if (!found) return null;
    const { user, mailbox, ...session } = found;
    const person: Person | null = user ? { kind: 'user', user: user as User } : mailbox ? { kind: 'mailbox', mailbox: ownerMailboxOf(mailbox) } : null;
    return person && { ...session, person };
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.prisma.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
  }

  listFor(owner: SessionOwner): Promise<Session[]> {
    return this.prisma.session.findMany({ where: ownerWhere(owner), orderBy: { createdAt: 'desc' } });
  }

  /** Only the person's own: another person's session id is simply not found. */
  async deleteOwn(tx: Tx, owner: SessionOwner, id: string): Promise<boolean> {
    return (await tx.session.deleteMany({ where: { id, ...ownerWhere(owner) } })).count > 0;
  }

  async deleteById(id: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { id } });
  }

  async deleteAllFor(tx: Tx, owner: SessionOwner): Promise<number> {
    return (await tx.session.deleteMany({ where: ownerWhere(owner) })).count;
  }
}
