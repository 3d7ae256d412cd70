-- Processes that keep answers about the mail directory in memory (the Postfix policy service,
-- src/policy/mail-directory-watch.ts) LISTEN on "mail_directory" and forget them on every
-- notification. PostgreSQL delivers a notification when its transaction commits, so a mailbox
-- suspended, disabled or given a new alias counts at the next RCPT TO, not after a cache expires.
-- Statement-level: one notification per statement, and identical ones within a transaction are
-- folded into one.
CREATE FUNCTION "mail_directory_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mail_directory', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER "mailboxes_mail_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "mailboxes"
  FOR EACH STATEMENT EXECUTE FUNCTION "mail_directory_changed"();
CREATE TRIGGER "domains_mail_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "domains"
  FOR EACH STATEMENT EXECUTE FUNCTION "mail_directory_changed"();
CREATE TRIGGER "aliases_mail_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "aliases"
  FOR EACH STATEMENT EXECUTE FUNCTION "mail_directory_changed"();
CREATE TRIGGER "domain_aliases_mail_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "domain_aliases"
  FOR EACH STATEMENT EXECUTE FUNCTION "mail_directory_changed"();
