import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-http-bearer';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Caller } from './caller.js';

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super({ passReqToCallback: true });
  }

  validate(request: FastifyRequest, token: string): Promise<Caller> {
    return this.apiKeys.authenticate(token, request.ip, String(request.id));
  }
}
