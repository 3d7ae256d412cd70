-- CreateEnum
CREATE TYPE "MtaStsMode" AS ENUM ('testing', 'enforce', 'none');

-- CreateEnum
CREATE TYPE "DkimAlgorithm" AS ENUM ('rsa', 'ed25519');

-- CreateEnum
CREATE TYPE "DkimKeyState" AS ENUM ('next', 'active', 'retired');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('queued', 'sending', 'deferred', 'held', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "RecipientStatus" AS ENUM ('queued', 'deferred', 'delivered', 'bounced', 'cancelled');

-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('message', 'dsn', 'notification');

-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('open', 'acknowledged', 'resolved');

-- AlterTable
ALTER TABLE "domains" ADD COLUMN     "dns_check" JSONB,
ADD COLUMN     "dns_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "mta_sts_max_age" INTEGER,
ADD COLUMN     "mta_sts_mode" "MtaStsMode",
ADD COLUMN     "mta_sts_policy_id" TEXT,
ADD COLUMN     "send_limits" JSONB;

-- AlterTable
ALTER TABLE "mailboxes" ADD COLUMN     "send_limits" JSONB,
ADD COLUMN     "sending_suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "sending_suspended_reason" TEXT;

-- CreateTable
CREATE TABLE "dkim_keys" (
    "id" UUID NOT NULL,
    "domain_id" UUID NOT NULL,
    "selector" TEXT NOT NULL,
    "algorithm" "DkimAlgorithm" NOT NULL,
    "state" "DkimKeyState" NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "dkim_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "kind" "MessageKind" NOT NULL DEFAULT 'message',
    "reseller_id" UUID,
    "domain_id" UUID,
    "mailbox_id" UUID,
    "mail_from" TEXT NOT NULL,
    "from_header" TEXT NOT NULL,
    "subject" TEXT,
    "message_id_header" TEXT NOT NULL,
    "raw" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "status" "MessageStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "delay_notified_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_recipients" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "status" "RecipientStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ(3),
    "final_at" TIMESTAMPTZ(3),
    "last_code" INTEGER,
    "last_enhanced" TEXT,
    "last_response" TEXT,

    CONSTRAINT "message_recipients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempts" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "recipient_id" UUID NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,
    "host" TEXT,
    "code" INTEGER,
    "enhanced" TEXT,
    "response" TEXT NOT NULL,
    "error_code" TEXT,

    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "reseller_id" UUID,
    "domain_id" UUID,
    "mailbox_id" UUID,
    "rule" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "state" "AlertState" NOT NULL DEFAULT 'open',
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "actions" JSONB NOT NULL DEFAULT '[]',
    "dedupe_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dkim_keys_domain_id_state_idx" ON "dkim_keys"("domain_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "dkim_keys_domain_id_selector_key" ON "dkim_keys"("domain_id", "selector");

-- CreateIndex
CREATE INDEX "messages_status_next_attempt_at_idx" ON "messages"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "messages_reseller_id_created_at_idx" ON "messages"("reseller_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_mailbox_id_created_at_idx" ON "messages"("mailbox_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_domain_id_created_at_idx" ON "messages"("domain_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "message_recipients_message_id_address_key" ON "message_recipients"("message_id", "address");

-- CreateIndex
CREATE INDEX "delivery_attempts_message_id_attempted_at_idx" ON "delivery_attempts"("message_id", "attempted_at");

-- CreateIndex
CREATE INDEX "delivery_attempts_recipient_id_attempted_at_idx" ON "delivery_attempts"("recipient_id", "attempted_at");

-- CreateIndex
CREATE INDEX "alerts_reseller_id_created_at_idx" ON "alerts"("reseller_id", "created_at");

-- CreateIndex
CREATE INDEX "alerts_mailbox_id_created_at_idx" ON "alerts"("mailbox_id", "created_at");

-- AddForeignKey
ALTER TABLE "dkim_keys" ADD CONSTRAINT "dkim_keys_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_recipients" ADD CONSTRAINT "message_recipients_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_recipient_id_fkey" FOREIGN KEY ("recipient_id") REFERENCES "message_recipients"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one unresolved alert per dedupe key: a condition that persists stays one alert (not expressible in schema.prisma).
CREATE UNIQUE INDEX "alerts_unresolved_dedupe_key" ON "alerts"("dedupe_key") WHERE "state" <> 'resolved' AND "dedupe_key" IS NOT NULL;
