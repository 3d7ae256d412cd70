import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AllowedBeforeMfaEnrolment, MailboxOwnerRoute, OwnAccount } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { TotpCodeDto } from './login.dto.js';
import { MfaService } from './mfa.service.js';

/** A person's own TOTP: staff and mailbox owners alike. Every change is audited with the person as actor. */
@ApiTags('me')
@ApiBearerAuth()
@MailboxOwnerRoute()
@OwnAccount()
@Controller('v1/me/mfa/totp')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  /** A new secret, its otpauth:// URL and QR code (SVG); not in force until confirmed. */
  @Post()
  @AllowedBeforeMfaEnrolment()
  @HttpCode(201)
  enrol(@CurrentCaller() caller: Caller) {
    return this.mfa.enrol(caller);
  }

  /** A code from the app turns TOTP on; the ten recovery codes are in this answer only. */
  @Post('confirm')
  @AllowedBeforeMfaEnrolment()
  @HttpCode(200)
  confirm(@CurrentCaller() caller: Caller, @Body({ schema: TotpCodeDto }) dto: TotpCodeDto) {
    return this.mfa.confirm(caller, dto.code);
  }

  /** Ten new recovery codes (the old ones stop working); a current code proves the authenticator is at hand. */
  @Post('recovery-codes')
  @HttpCode(200)
  regenerate(@CurrentCaller() caller: Caller, @Body({ schema: TotpCodeDto }) dto: TotpCodeDto) {
    return this.mfa.regenerateRecoveryCodes(caller, dto.code);
  }

  /** Turns TOTP off; a current code is required, so a stolen session alone cannot. */
  @Delete()
  @HttpCode(204)
  disable(@CurrentCaller() caller: Caller, @Body({ schema: TotpCodeDto }) dto: TotpCodeDto) {
    return this.mfa.disable(caller, dto.code);
  }
}
