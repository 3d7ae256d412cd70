-- Message bodies are kept MESSAGE_RETENTION_DAYS after a message becomes final, then emptied by
-- the maintenance worker. The row, its recipients and attempts stay, marked with body_purged_at.
ALTER TABLE "messages" ADD COLUMN "body_purged_at" TIMESTAMPTZ(3);

-- The scan of the purge: final statuses, oldest updated_at first.
CREATE INDEX "messages_status_updated_at_idx" ON "messages"("status", "updated_at");
