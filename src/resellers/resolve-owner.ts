import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import type { ResellersRepository } from './resellers.repository.js';

/**
 * The reseller a new object belongs to. A reseller's key always creates for itself (naming
 * another reseller is refused, not silently ignored); a platform key creates for the platform
 * unless it names an existing reseller.
 */
export async function resolveOwner(caller: Caller, requested: string | undefined, resellers: ResellersRepository) {
  if (requested === undefined || requested === caller.resellerId) return caller.resellerId;
  if (caller.resellerId !== null) {
    throw Problem.invalidField('resellerId', 'not_allowed', 'Only platform admins choose the reseller.');
  }
  if (!(await resellers.find(requested))) {
    throw Problem.invalidField('resellerId', 'unknown_reseller', 'There is no such reseller.');
  }
  return requested;
}
