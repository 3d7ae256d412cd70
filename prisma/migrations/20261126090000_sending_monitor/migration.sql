-- Outgoing-mail monitoring (README, Activity monitoring). No semicolons in comments: the runner splits on them.

-- When an administrator last lifted the mailbox's sending suspension: the monitor's windows start
-- no earlier, so the mail that caused a suspension does not suspend the mailbox again once released.
ALTER TABLE "mailboxes" ADD COLUMN "sending_resumed_at" TIMESTAMPTZ(3);

-- The sweep's two questions, which mailboxes sent in the last hour and whose recipients settled
-- in the last day, without reading the whole tables. Partial: only what the sweep asks about.
CREATE INDEX "messages_sent_by_mailbox_created_at_idx" ON "messages"("created_at") WHERE "kind" = 'message' AND "mailbox_id" IS NOT NULL;
CREATE INDEX "message_recipients_final_at_idx" ON "message_recipients"("final_at") WHERE "final_at" IS NOT NULL;
