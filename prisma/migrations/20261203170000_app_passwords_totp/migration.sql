-- People (issue 12, part B): mailbox app passwords, TOTP, and the Dovecot views that use them.

ALTER TABLE "mailboxes" ADD COLUMN "require_app_passwords" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "mailbox_app_passwords" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "selector" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "protocols" TEXT[],
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "mailbox_app_passwords_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "mailbox_app_passwords_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "mailbox_app_passwords_mailbox_id_selector_key" ON "mailbox_app_passwords"("mailbox_id", "selector");

CREATE TABLE "totp_enrolments" (
    "id" UUID NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "secret_sealed" BYTEA NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "totp_enrolments_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "totp_enrolments_subject_kind_subject_id_key" ON "totp_enrolments"("subject_kind", "subject_id");

CREATE TABLE "totp_recovery_codes" (
    "id" UUID NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "totp_recovery_codes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "totp_recovery_codes_subject_kind_subject_id_code_hash_key" ON "totp_recovery_codes"("subject_kind", "subject_id", "code_hash");

-- The Dovecot services (%s) a mailbox may authenticate for, whatever the credential: the rules
-- of dovecot_users as last defined in 20261203140000_submission_policy (locked mailboxes absent,
-- SMTP off or sending suspended removes smtp and submission). Both passdb views read it.
CREATE VIEW "mail_login_services" AS
SELECT mb."id" AS "mailbox_id",
       m."address" AS "username",
       array_remove(ARRAY[
         CASE WHEN mb."imap_enabled" THEN 'imap' END,
         CASE WHEN mb."pop3_enabled" THEN 'pop3' END,
         CASE WHEN mb."smtp_enabled" AND mb."sending_suspended_at" IS NULL THEN 'smtp' END,
         CASE WHEN mb."smtp_enabled" AND mb."sending_suspended_at" IS NULL THEN 'submission' END
       ], NULL) AS "services"
  FROM "mail_mailboxes" m
  JOIN "mailboxes" mb ON mb."address" = m."address"
 WHERE mb."login_locked_at" IS NULL;

-- Same columns, same order. With require_app_passwords the main password is good for no service
-- (the row stays: the userdb lookup after an app-password login needs it).
CREATE OR REPLACE VIEW "dovecot_users" AS
SELECT m."address" AS "username",
       m."domain",
       mb."password_hash" AS "password",
       m."maildir",
       8 AS "uid",
       8 AS "gid",
       '*:bytes=' || m."quota_bytes" AS "quota_rule",
       CASE WHEN mb."require_app_passwords" THEN ARRAY[]::text[] ELSE s."services" END AS "services"
  FROM "mail_mailboxes" m
  JOIN "mailboxes" mb ON mb."address" = m."address"
  JOIN "mail_login_services" s ON s."mailbox_id" = mb."id";

-- The second passdb. One row per app password, found by username and selector (the first
-- group of the password). Its services are those of the mailbox, narrowed to the protocols the
-- app password names (smtp covers the submission service too).
CREATE VIEW "dovecot_app_passwords" AS
SELECT s."username",
       ap."selector",
       ap."id" AS "app_password_id",
       ap."password_hash" AS "password",
       ARRAY(
         SELECT svc FROM unnest(s."services") AS svc
          WHERE cardinality(ap."protocols") IS NULL OR cardinality(ap."protocols") = 0
             OR (CASE WHEN svc = 'submission' THEN 'smtp' ELSE svc END) = ANY(ap."protocols")
       ) AS "services"
  FROM "mailbox_app_passwords" ap
  JOIN "mail_login_services" s ON s."mailbox_id" = ap."mailbox_id";
