import { type FastifyInstance, errorCodes } from 'fastify';
import type { Config } from '../config/config.js';

// POST /v1/messages takes bodies far larger than the API's BODY_LIMIT_BYTES: a raw message of up
// to OUTBOUND_MAX_MESSAGE_BYTES, or JSON whose base64 attachments make up that much (base64 is
// 4/3 of the bytes). The larger limit applies to that route only; the exact size is checked on
// the composed message. Fastify reads a route's `config` here; Nest sets it from @RouteConfig.
export const MESSAGE_BODY_ROUTE = { messageBody: true, bodyTooLargeCode: 'message_too_large' } as const;
const JSON_FRAMING_BYTES = 1024 * 1024;

export function messageBodyLimit(config: Config): number {
  return Math.ceil((config.OUTBOUND_MAX_MESSAGE_BYTES * 4) / 3) + JSON_FRAMING_BYTES;
}

/** Call before the routes are registered (before app.init()). */
export function installMessageBodyParser(fastify: FastifyInstance, config: Config): void {
  const limit = messageBodyLimit(config);
  fastify.addHook('onRoute', (route) => {
    if ((route.config as { messageBody?: boolean } | undefined)?.messageBody) route.bodyLimit = limit;
  });
  // A message as it is (RFC 5322 bytes), accepted on the message routes only; elsewhere: 415.
  fastify.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
    const config = request.routeOptions.config as { messageBody?: boolean } | undefined;
    if (config?.messageBody) done(null, body);
    else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']), undefined);
  });
}
