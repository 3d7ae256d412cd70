import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllowedBeforeMfaEnrolment, AllowedBeforePasswordChange, MailboxOwnerRoute, OwnAccount, Public } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { idParam } from '../common/schemas.js';
import { CONFIG, type Config } from '../config/config.js';
import { LoginDto, LoginTotpDto, PasswordResetConfirmDto, PasswordResetRequestDto } from './login.dto.js';
import { LoginService } from './login.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { SESSION_COOKIE, clearSessionCookie } from './session-tokens.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly login: LoginService,
    private readonly sessions: SessionsService,
    private readonly resets: PasswordResetService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  logIn(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body({ schema: LoginDto }) dto: LoginDto) {
    return this.login.login(request, reply, dto);
  }

  /** The second step when the person has TOTP on: the login's challenge and a code (or a recovery code). */
  @Post('login/totp')
  @Public()
  @HttpCode(200)
  logInTotp(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body({ schema: LoginTotpDto }) dto: LoginTotpDto) {
    return this.login.secondFactor(request, reply, dto);
  }

  @Post('logout')
  @ApiBearerAuth()
  @OwnAccount()
  @AllowedBeforePasswordChange()
  @AllowedBeforeMfaEnrolment()
  @MailboxOwnerRoute()
  @HttpCode(204)
  async logOut(@CurrentCaller() caller: Caller, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.sessions.logout(caller);
    clearSessionCookie(reply, this.config);
  }

  @Get('csrf')
  @ApiBearerAuth()
  @AllowedBeforePasswordChange()
  @AllowedBeforeMfaEnrolment()
  @MailboxOwnerRoute()
  csrf(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest) {
    if (caller.principal.kind === 'apiKey') throw Problem.forbidden('session_required', 'API keys need no CSRF token; only sessions have one.');
    return { csrfToken: this.sessions.csrfToken(request.cookies[SESSION_COOKIE]!) };
  }

  @Get('sessions')
  @ApiBearerAuth()
  @MailboxOwnerRoute()
  list(@CurrentCaller() caller: Caller) {
    return this.sessions.list(caller);
  }

  @Delete('sessions/:id')
  @ApiBearerAuth()
  @OwnAccount()
  @MailboxOwnerRoute()
  @HttpCode(204)
  revoke(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.sessions.revoke(caller, id);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  async requestReset(@Req() request: FastifyRequest, @Body({ schema: PasswordResetRequestDto }) dto: PasswordResetRequestDto) {
    await this.resets.request(request, dto.email);
    return { accepted: true };
  }

  @Post('password-reset/confirm')
  @Public()
  @HttpCode(204)
  confirmReset(@Req() request: FastifyRequest, @Body({ schema: PasswordResetConfirmDto }) dto: PasswordResetConfirmDto) {
    return this.resets.confirm(request, dto.token, dto.password);
  }
}
