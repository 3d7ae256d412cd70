import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { MESSAGE_BODY_ROUTE } from './message-body.http.js';
import { type MessageInput, MessageListQuery, MessageSendDto, messageBody } from './messages.dto.js';
import { MessagesService } from './messages.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@Resource('messages')
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @HttpCode(202)
  @Idempotent()
  @RouteConfig(MESSAGE_BODY_ROUTE)
  @ApiConsumes('application/json', 'message/rfc822')
  @ApiBody({ schema: MessageSendDto.toJSONSchema({ io: 'input' }) as object, description: 'JSON, or a whole RFC 5322 message as message/rfc822.' })
  async send(@CurrentCaller() caller: Caller, @Body(messageBody) input: MessageInput, @Res({ passthrough: true }) reply: FastifyReply) {
    const accepted = await this.messages.send(caller, input);
    reply.header('location', `/v1/messages/${accepted.id}`);
    return accepted;
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: MessageListQuery }) query: MessageListQuery) {
    return this.messages.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.messages.get(caller, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  retry(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.messages.retry(caller, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.messages.cancel(caller, id);
  }
}
