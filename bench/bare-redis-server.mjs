// The baseline for auth-policy: a bare Fastify route doing one Redis INCR, with no
// authentication, validation, rules or framework around it.
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: process.env.REDIS_KEY_PREFIX });
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.post('/allow', async (request) => {
  await redis.incr(`bare:${request.body.remote}`);
  return { status: 0, msg: '' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
