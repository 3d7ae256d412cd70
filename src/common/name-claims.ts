import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import { Problem } from './problem.js';

type OwnerKey = 'domainId' | 'domainAliasId' | 'mailboxId' | 'aliasId';

/**
 * Creates an object that receives mail under `name` (a domain, or an address / `@domain`
 * catch-all) together with its claim on that name. The claim table's primary key is what makes
 * names unique across domains, domain aliases, mailboxes and aliases at once; the claim goes
 * when its owner does. A clash anywhere in the two inserts means the name is taken (ids are
 * random UUIDs), and the caller's transaction rolls back both.
 */
export async function createClaimed<T extends { id: string }>(
  tx: Tx, name: string, owner: OwnerKey, field: string, create: () => Promise<T>,
): Promise<T> {
  try {
    const row = await create();
    await tx.nameClaim.create({ data: { name, [owner]: row.id } });
    return row;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const code = name.includes('@') ? 'address_taken' : 'domain_taken';
      throw new Problem(409, code, `${name} is already in use.`, [{ field, code, message: `${name} is already in use.` }]);
    }
    throw error;
  }
}
