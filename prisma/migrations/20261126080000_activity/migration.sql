-- Login monitoring (README, Activity monitoring). No semicolons in comments: the runner splits on them.

-- A mailbox locked for login: Dovecot finds no passdb row (dovecot_users below) and the
-- auth-policy hook rejects it, while it still receives mail.
ALTER TABLE "mailboxes" ADD COLUMN "login_locked_at" TIMESTAMPTZ(3);
ALTER TABLE "mailboxes" ADD COLUMN "login_locked_reason" TEXT;

-- Where a tenant is told about its alerts.
ALTER TABLE "resellers" ADD COLUMN "notification_email" TEXT;

-- Logins as the mail services reported them, written in batches from Redis, never on the
-- auth-policy request path. mailbox_id is null for a login that names no mailbox.
CREATE TABLE "login_events" (
    "id" BIGSERIAL NOT NULL,
    "mailbox_id" UUID,
    "login" TEXT NOT NULL,
    "remote_ip" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "login_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "login_events_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "login_events_mailbox_id_occurred_at_idx" ON "login_events"("mailbox_id", "occurred_at");
CREATE INDEX "login_events_occurred_at_idx" ON "login_events"("occurred_at");

-- Same columns, same order, plus the lock: a locked mailbox has no passdb or userdb row.
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
         CASE WHEN mb."smtp_enabled" THEN 'smtp' END,
         CASE WHEN mb."smtp_enabled" THEN 'submission' END
       ], NULL) AS "services"
  FROM "mail_mailboxes" m
  JOIN "mailboxes" mb ON mb."address" = m."address"
 WHERE mb."login_locked_at" IS NULL;
