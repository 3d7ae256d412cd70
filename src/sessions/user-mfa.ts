import { Injectable } from '@nestjs/common';
import type { User } from '../generated/prisma/client.js';
import { TotpService } from '../totp/totp.service.js';

/**
 * The seam for a second factor (issue 12, part B: TOTP). Login asks it whether a user must pass
 * one; when yes, the login answers `{mfaRequired: true, challenge}` instead of a session, and the
 * TOTP step exchanges the challenge (LoginChallenges.consume) and a code for the session.
 */
export interface UserMfa {
  /** Whether the user has a confirmed second factor, which every login must then pass. */
  isEnrolled(user: User): Promise<boolean>;
}

export const USER_MFA = Symbol('USER_MFA');

/** The second factor is TOTP (part C binds the seam): confirmed enrolment means every login needs a code. */
@Injectable()
export class TotpUserMfa implements UserMfa {
  constructor(private readonly totp: TotpService) {}

  isEnrolled(user: User): Promise<boolean> {
    return this.totp.isEnabled({ kind: 'user', id: user.id, resellerId: user.resellerId, accountName: user.email });
  }
}
