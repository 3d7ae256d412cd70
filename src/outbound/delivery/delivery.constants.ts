// Fixed limits of the delivery worker, in one place; the tunable ones are in src/config/config.ts.

// Connections one worker keeps open to one MX host: enough to drain a backlog, few enough that a
// receiving server does not see us as a flood (Postfix's default is 20 per destination, shared
// by every sender on the host; ours is per worker).
export const MAX_CONNECTIONS_PER_MX = 5;
// Pools to distinct MX hosts kept by one worker; the least recently created is closed past this.
export const MAX_DIRECT_POOLS = 200;
// A pooled connection is closed after this many messages, and when idle this long.
export const MESSAGES_PER_CONNECTION = 100;
export const POOL_IDLE_TIMEOUT_MS = 60_000;

// Routes (MX hosts and their addresses) one worker remembers per destination domain, and for how
// long: a minute is well under the usual MX TTL, so a changed MX is followed soon enough.
export const MX_ROUTE_CACHE_MS = 60_000;
export const MX_ROUTE_CACHE_ENTRIES = 10_000;

// An attempt must end before its lease does, with room to record its outcome: otherwise another
// worker could claim the message while this one is still sending it.
export const LEASE_SAFETY_MARGIN_MS = 500;
export const MIN_ATTEMPT_MS = 500;

// BullMQ's lock on a running delivery job. A worker that dies leaves its job locked this long;
// then the stalled-job check (every DELIVERY_STALLED_CHECK_MS) hands it to another worker.
export const DELIVERY_JOB_LOCK_MS = 10_000;
export const DELIVERY_STALLED_CHECK_MS = 5_000;
// Infrastructure failures (PostgreSQL or Redis unreachable) are retried by BullMQ this many times,
// from this delay doubling; past that the reconciler still finds the message in PostgreSQL.
export const INFRASTRUCTURE_RETRIES = 8;
export const INFRASTRUCTURE_RETRY_BASE_MS = 2_000;

// The reconciler reads unfinished messages in pages of this size, at most this many per run.
export const RECONCILE_PAGE_SIZE = 500;
export const RECONCILE_MAX_PER_RUN = 20_000;
// A due message's job may simply be waiting its turn: only one due for longer is checked.
export const RECONCILE_GRACE_MS = 5_000;

// A domain's signing keys are read (and unsealed) once per this period per worker, not per
// message. A rotation publishes the next key well before it is used, so a minute of delay is safe.
export const SIGNING_KEYS_CACHE_MS = 60_000;
