-- The views Postfix and Dovecot read (docs/mail-services.md). Their names and columns are a
-- stable interface: the mail servers are configured against them, so a change here is a new
-- view or a new column, never a rename. A mail-services role needs SELECT on these four views
-- only: views run with the rights of their owner, so it never sees the tables behind them.
-- (No semicolons or quotes in these comments: the migration runner splits the script on them.)
--
-- What is live: domains with status active (never pending_verification or disabled),
-- their domain aliases, enabled mailboxes and enabled aliases of those domains.

-- Postfix virtual_mailbox_domains: every name the platform accepts mail for.
CREATE VIEW "mail_domains" AS
SELECT d."name" AS "domain", d."name" AS "target_domain"
  FROM "domains" d
 WHERE d."status" = 'active'
UNION ALL
SELECT da."name", d."name"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
 WHERE d."status" = 'active';

-- Postfix virtual_mailbox_maps. The maildir is relative to the mail root. A "/" in a local part
-- (legal in RFC 5322) is encoded, with "%" first, so that no mailbox directory can sit inside
-- another and no two addresses share one.
CREATE VIEW "mail_mailboxes" AS
SELECT m."address",
       m."local_part",
       d."name" AS "domain",
       d."name" || '/' || replace(replace(m."local_part", '%', '%25'), '/', '%2F') || '/' AS "maildir",
       m."quota_bytes"
  FROM "mailboxes" m
  JOIN "domains" d ON d."id" = m."domain_id"
 WHERE m."enabled" AND d."status" = 'active';

-- Postfix virtual_alias_maps: one row per (address, destination), Postfix joins several rows
-- with commas. Postfix consults this map before virtual_mailbox_maps, so:
--  * every mailbox maps to itself, or a catch-all "@domain" would swallow its mail,
--  * a domain alias A -> T is expanded address by address (x@A -> x@T for each mailbox and alias
--    x@T, and "@A" to the destinations of the catch-all of T), as postfixadmin and mailcow do. A blanket
--    "@A -> @T" would accept every address at A and break recipient validation.
-- The branches keep "domain" a plain column so that the domain = %d of a lookup reaches the indexes.
CREATE VIEW "mail_aliases" AS
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
 WHERE m."enabled" AND d."status" = 'active'
UNION ALL
SELECT split_part(a."source", '@', 1) || '@' || da."name", da."name", a."source"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "aliases" a ON a."domain_id" = d."id"
 WHERE a."enabled" AND d."status" = 'active' AND a."source" NOT LIKE '@%'
UNION ALL
SELECT '@' || da."name", da."name", dest."destination"
  FROM "domain_aliases" da
  JOIN "domains" d ON d."id" = da."target_domain_id"
  JOIN "aliases" a ON a."source" = '@' || d."name"
  CROSS JOIN LATERAL unnest(a."destinations") AS dest("destination")
 WHERE a."enabled" AND d."status" = 'active';

-- Dovecot passdb and userdb. Only mailboxes that may log in at all are here. "services" lists
-- the Dovecot service names (%s) the mailbox may authenticate for: the password query matches
-- on it, so a mailbox with IMAP off finds no row over IMAP and still logs in over POP3. "smtp"
-- is the name SASL requests from Postfix carry, "submission" is the Dovecot submission service.
-- The column is "username", not "user": unquoted, user is the PostgreSQL current_user.
CREATE VIEW "dovecot_users" AS
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
  JOIN "mailboxes" mb ON mb."address" = m."address";
