-- People (issue 12, part C): mailbox owners log in to the dashboard too. A session belongs to
-- exactly one person, a staff user or a mailbox owner.

ALTER TABLE "sessions" ALTER COLUMN "user_id" DROP NOT NULL;
ALTER TABLE "sessions" ADD COLUMN "mailbox_id" UUID;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_person_check" CHECK (("user_id" IS NULL) <> ("mailbox_id" IS NULL));
CREATE INDEX "sessions_mailbox_id_idx" ON "sessions"("mailbox_id");
