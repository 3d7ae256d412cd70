// The baseline for mailbox-get: a bare Fastify route doing the same single-row pg query as
// GET /v1/mailboxes/{id}, with no authentication, tenancy, validation or framework around it.
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/mailboxes/:id', async (request, reply) => {
  const { rows } = await pool.query(
    'SELECT m.*, d.name AS domain_name FROM mailboxes m JOIN domains d ON d.id = m.domain_id WHERE m.id = $1',
    [request.params.id],
  );
  if (!rows.length) return reply.code(404).send({ code: 'not_found' });
  const m = rows[0];
  return {
    id: m.id, address: m.address, domainId: m.domain_id, displayName: m.display_name, quotaBytes: Number(m.quota_bytes),
    enabled: m.enabled, protocols: { imap: m.imap_enabled, pop3: m.pop3_enabled, smtp: m.smtp_enabled },
    createdAt: m.created_at, updatedAt: m.updated_at,
  };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
