-- A domain alias proves ownership like a domain (issue 11, item 1): it starts pending_verification
-- with its own TXT token and reaches the mail views only once active.
-- Existing aliases were never proven, so they become pending_verification too, with a random token
-- (the HMAC key is not known to SQL, and the stored token is what verification checks) and a fresh
-- expiry window that starts now. The exception: a subdomain of a verified domain of the same tenant,
-- which needs no proof of its own, stays active.
-- (No semicolons or quotes in these comments: the migration runner splits the script on them.)

ALTER TABLE "domain_aliases"
    ADD COLUMN "status" "DomainStatus" NOT NULL DEFAULT 'pending_verification',
    ADD COLUMN "verification_token" TEXT,
    ADD COLUMN "verified_at" TIMESTAMPTZ(3),
    ADD COLUMN "pending_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

UPDATE "domain_aliases" SET "verification_token" = substr(md5(random()::text || "id"::text), 1, 24);

ALTER TABLE "domain_aliases" ALTER COLUMN "verification_token" SET NOT NULL;

UPDATE "domain_aliases" da
   SET "status" = 'active', "verified_at" = CURRENT_TIMESTAMP
  FROM "domains" t
 WHERE t."id" = da."target_domain_id"
   AND EXISTS (SELECT 1 FROM "domains" p
                WHERE p."verified_at" IS NOT NULL
                  AND p."reseller_id" IS NOT DISTINCT FROM t."reseller_id"
                  AND right(da."name", length(p."name") + 1) = '.' || p."name");

CREATE INDEX "domain_aliases_status_pending_since_idx" ON "domain_aliases"("status", "pending_since");

-- The same views, same columns, with the alias branches limited to active aliases.
CREATE OR REPLACE VIEW "mail_domains" AS
SELECT d."name" AS "domain", d."name" AS "target_domain"
  FROM "domains" d
 WHERE d."status" = 'active'
UNION ALL
SELECT da."name", d."name"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
 WHERE d."status" = 'active' AND da."status" = 'active';

CREATE OR REPLACE VIEW "mail_aliases" AS
SELECT m."address", m."domain", m."address" AS "destination"
  FROM "mail_mailboxes" m
UNION ALL
SELECT a."source", d."name", dest."destination"
  FROM "aliases" a
  JOIN "domains" d ON d."id" = a."domain_id"
  CROSS JOIN LATERAL unnest(a."destinations") AS dest("destination")
 WHERE a."enabled" AND d."status" = 'active'
UNION ALL
SELECT m."local_part" || '@' || da."name", da."name", m."address"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "mailboxes" m ON m."domain_id" = d."id"
 WHERE m."enabled" AND d."status" = 'active' AND da."status" = 'active'
UNION ALL
SELECT split_part(a."source", '@', 1) || '@' || da."name", da."name", a."source"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "aliases" a ON a."domain_id" = d."id"
 WHERE a."enabled" AND d."status" = 'active' AND da."status" = 'active' AND a."source" NOT LIKE '@%'
UNION ALL
SELECT '@' || da."name", da."name", dest."destination"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "aliases" a ON a."source" = '@' || d."name"
  CROSS JOIN LATERAL unnest(a."destinations") AS dest("destination")
 WHERE a."enabled" AND d."status" = 'active' AND da."status" = 'active';
