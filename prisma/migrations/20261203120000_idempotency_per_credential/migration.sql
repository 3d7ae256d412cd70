-- Idempotency-Key answers belong to the credential (API key) that sent the request, no longer to
-- its whole tenant: another key of the same tenant replaying a key and body got the first answer,
-- the secret of a new API key included. Records keyed per tenant cannot be attributed to one key;
-- they live IDEMPOTENCY_TTL_HOURS only, so they are dropped rather than guessed.
DELETE FROM "idempotent_requests";

ALTER TABLE "idempotent_requests" DROP CONSTRAINT "idempotent_requests_pkey";
ALTER TABLE "idempotent_requests" ADD COLUMN "credential" TEXT NOT NULL;
ALTER TABLE "idempotent_requests" ADD CONSTRAINT "idempotent_requests_pkey" PRIMARY KEY ("credential", "key");
