import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiModule } from './api.module.js';
import { type Config, loadConfig } from './config/config.js';
import { replyFrameworkError, writeClientError } from './common/framework-errors.js';
import { jsonLogger } from './common/logger.js';
import { validationPipe } from './common/validation.js';
import { installMetrics } from './health/metrics.js';
import { installMessageBodyParser } from './outbound/message-body.http.js';
import { canonicalDiscoveryUrl, installXmlBodyParser } from './settings-lookup/client-config.http.js';
import { addWebhooksToDocument } from './webhooks/webhook-openapi.js';

/** The HTTP API, initialised but not listening: main.ts listens, tests inject requests. */
export async function createApiApp(config: Config = loadConfig()): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Only the listed proxies' X-Forwarded-For is read, from the right: request.ip is the nearest
    // address that is not a trusted proxy, so a client's own entries further left change nothing.
    // (An empty list would count as "trust" to Fastify, which tests the option for truthiness.)
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    rewriteUrl: (request: IncomingMessage) => canonicalDiscoveryUrl(request.url ?? '/'),
    frameworkErrors: replyFrameworkError,
    clientErrorHandler: writeClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: jsonLogger(config),
    abortOnError: false,
    // JSON in: Nest's default parsers would also accept form-encoded bodies, and Fastify's own
    // accepts text/plain; anything but JSON must get 415, not reach validation.
    bodyParser: false,
  });
  // People's session cookie (src/sessions); read by the session strategy, set by login.
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  // Outlook's Autodiscover request is the one XML body, accepted on its route only.
  installXmlBodyParser(fastify);
  // Outgoing messages: message/rfc822 bodies, and a larger body limit, on POST /v1/messages only.
  installMessageBodyParser(fastify, config);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installMetrics(fastify, config);
  app.useGlobalPipes(validationPipe);

  const document = addWebhooksToDocument(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('Postmaster API')
      .setDescription('Domains, mailboxes, aliases and passwords of a mail-hosting platform. Errors are RFC 9457 problem+json with a stable `code`.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: pm_...' })
      .build(),
  ));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
  await app.init();
  await fastify.ready();
  return app;
}
