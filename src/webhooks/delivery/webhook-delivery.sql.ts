// The worker's two statements per attempt, each for a batch of concurrent attempts (arrays in,
// one row out per input that took effect). Named, so each connection plans them once.

/**
 * Claims: claimable when due, or when the worker that held it let the lease run out.
 * `attempts` is the fencing token every later write names.
 */
export const CLAIM_BATCH = {
  name: 'webhook_claim_batch',
  text: `UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1, updated_at = now(),
      lease_until = now() + c.lease_ms * interval '1 millisecond'
    FROM unnest($1::uuid[], $2::int[]) AS c(id, lease_ms), webhook_endpoints e
    WHERE d.id = c.id AND e.id = d.endpoint_id
      AND ((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'delivering' AND d.lease_until < now()))
    RETURNING d.id, d.event_id AS "eventId", d.event_type AS "eventType", d.body, d.attempts, d.expires_at AS "expiresAt",
      e.id AS "endpointId", e.reseller_id AS "resellerId", e.url, e.enabled, e.secret, e.previous_secret AS "previousSecret",
      e.previous_secret_until AS "previousSecretUntil"`,
};

/**
 * Records: each attempt's log line and its delivery's next state, fenced by the claim (a
 * delivery another worker took over is not written and not returned), and each endpoint's
 * failure run once per batch: ended by any success in it, started by failures alone. A batch of
 * successes touches an endpoint row only to end a run, so concurrent deliveries to one endpoint
 * do not queue on its row lock.
 */
export const RECORD_BATCH = {
  name: 'webhook_record_batch',
  text: `WITH i AS (
      SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::int[], $7::text[], $8::int[], $9::text[], $10::boolean[])
        AS t(id, attempts, status, next_attempt_at, last_error, status_code, error, latency_ms, response, attempted)),
    d AS (
      UPDATE webhook_deliveries w SET status = i.status::"WebhookDeliveryStatus", next_attempt_at = i.next_attempt_at,
        lease_until = NULL, last_error = i.last_error, updated_at = now()
      FROM i WHERE w.id = i.id AND w.status = 'delivering' AND w.attempts = i.attempts
      RETURNING w.id, w.endpoint_id),
    a AS (
      INSERT INTO webhook_attempts (delivery_id, status_code, error, latency_ms, response)
      SELECT i.id, i.status_code, i.error, i.latency_ms, i.response FROM i JOIN d ON d.id = i.id WHERE i.attempted),
    run AS (
      SELECT d.endpoint_id, bool_or(i.status = 'delivered') AS delivered FROM d JOIN i ON i.id = d.id WHERE i.attempted
      GROUP BY d.endpoint_id),
    e AS (
      UPDATE webhook_endpoints w SET failing_since = CASE WHEN run.delivered THEN NULL ELSE COALESCE(w.failing_since, now()) END
      FROM run WHERE w.id = run.endpoint_id AND (NOT run.delivered OR w.failing_since IS NOT NULL)
      RETURNING w.id, w.failing_since)
    SELECT d.id, e.failing_since AS "failingSince" FROM d LEFT JOIN e ON e.id = d.endpoint_id`,
};
