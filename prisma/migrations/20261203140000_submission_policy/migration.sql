-- Mail from mail programs (Postfix submission), docs/mail-services.md "Submission".

-- A tenant's switch: may the catch-all's mailboxes send as any unowned address of the domain?
ALTER TABLE "domains" ADD COLUMN "catch_all_senders" BOOLEAN NOT NULL DEFAULT false;

-- Messages submitted through Postfix, as the policy service counted them at END-OF-MESSAGE.
CREATE TABLE "mail_submissions" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "sender" TEXT NOT NULL,
    "recipients" INTEGER NOT NULL,
    "size" BIGINT NOT NULL,
    "queue_id" TEXT,
    "client_address" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "mail_submissions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "mail_submissions_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "mail_submissions_mailbox_id_created_at_idx" ON "mail_submissions"("mailbox_id", "created_at");

-- What the sending monitor counts: API mail (one row per message, with its recipients) and
-- submitted mail alike, so a spike suspends a mailbox whichever path its mail took.
CREATE VIEW "mailbox_sent_mail" AS
SELECT m."mailbox_id", m."created_at", 1 AS "messages",
       (SELECT count(*) FROM "message_recipients" r WHERE r."message_id" = m."id")::int AS "recipients"
  FROM "messages" m
 WHERE m."kind" = 'message' AND m."mailbox_id" IS NOT NULL
UNION ALL
SELECT s."mailbox_id", s."created_at", 1, s."recipients"
  FROM "mail_submissions" s;

-- Postfix smtpd_sender_login_maps: which SASL logins (mailbox addresses) may use an envelope
-- sender. Postfix looks up "user@domain", then "@domain", several rows are joined with commas.
--  * the mailbox's own address, also under each active alias domain of its domain,
--  * aliases that deliver to the mailbox (under the alias domains too), only when alias and
--    mailbox belong to the same tenant: another tenant's alias pointing at a mailbox gives no right,
--  * the catch-all "@domain" only where the tenant set catch_all_senders on the domain.
-- The policy service (src/policy/policy.repository.ts) reads this view too.
CREATE VIEW "mail_sender_logins" AS
SELECT m."address" AS "sender", m."domain", m."address" AS "login"
  FROM "mail_mailboxes" m
UNION ALL
SELECT m."local_part" || '@' || da."name", da."name", m."address"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "mailboxes" m ON m."domain_id" = d."id"
 WHERE m."enabled" AND d."status" = 'active' AND da."status" = 'active'
UNION ALL
SELECT a."source", d."name", mb."address"
  FROM "aliases" a
  JOIN "domains" d ON d."id" = a."domain_id"
  CROSS JOIN LATERAL unnest(a."destinations") AS dest("destination")
  JOIN "mailboxes" mb ON mb."address" = dest."destination"
  JOIN "domains" md ON md."id" = mb."domain_id"
 WHERE a."enabled" AND d."status" = 'active' AND mb."enabled" AND md."status" = 'active'
   AND md."reseller_id" IS NOT DISTINCT FROM d."reseller_id"
   AND (a."source" NOT LIKE '@%' OR d."catch_all_senders")
UNION ALL
SELECT CASE WHEN a."source" LIKE '@%' THEN '@' || da."name" ELSE split_part(a."source", '@', 1) || '@' || da."name" END,
       da."name", mb."address"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "aliases" a ON a."domain_id" = d."id"
  CROSS JOIN LATERAL unnest(a."destinations") AS dest("destination")
  JOIN "mailboxes" mb ON mb."address" = dest."destination"
  JOIN "domains" md ON md."id" = mb."domain_id"
 WHERE da."status" = 'active' AND a."enabled" AND d."status" = 'active' AND mb."enabled" AND md."status" = 'active'
   AND md."reseller_id" IS NOT DISTINCT FROM d."reseller_id"
   AND (a."source" NOT LIKE '@%' OR d."catch_all_senders");

-- dovecot_users (last defined in 20261126080000_activity): a mailbox whose sending is suspended,
-- or whose SMTP is switched off, can no longer authenticate to Postfix (service "smtp") or
-- Dovecot's submission service, IMAP and POP3 are untouched.
CREATE OR REPLACE VIEW "dovecot_users" AS
SELECT m."address" AS "username",
       m."domain",
       mb."password_hash" AS "password",
       m."maildir",
       8 AS "uid",
       8 AS "gid",
       '*:bytes=' || m."quota_bytes" AS "quota_rule",
       array_remove(ARRAY[
         CASE WHEN mb."imap_enabled" THEN 'imap' END,
         CASE WHEN mb."pop3_enabled" THEN 'pop3' END,
         CASE WHEN mb."smtp_enabled" AND mb."sending_suspended_at" IS NULL THEN 'smtp' END,
         CASE WHEN mb."smtp_enabled" AND mb."sending_suspended_at" IS NULL THEN 'submission' END
       ], NULL) AS "services"
  FROM "mail_mailboxes" m
  JOIN "mailboxes" mb ON mb."address" = m."address"
 WHERE mb."login_locked_at" IS NULL;
