// The baseline for policy-service: a bare TCP server speaking the same policy protocol (requests
// ended by an empty line, `action=DUNNO` back) that does one Redis INCR per request, with no
// parsing of attributes, database, rules or framework around it.
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: process.env.REDIS_KEY_PREFIX });
createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', async (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      buffered = buffered.slice(end + 2);
      await redis.incr('bare:policy');
      socket.write('action=DUNNO\n\n');
    }
  });
}).listen(Number(process.env.POLICY_PORT), '127.0.0.1');
