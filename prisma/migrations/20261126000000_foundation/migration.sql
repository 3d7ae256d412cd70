-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "DomainStatus" AS ENUM ('pending_verification', 'active', 'disabled');

-- CreateTable
CREATE TABLE "resellers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "max_domains" INTEGER,
    "max_mailboxes" INTEGER,
    "max_storage_bytes" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "resellers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "reseller_id" UUID,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "read_only" BOOLEAN NOT NULL DEFAULT false,
    "allowed_ips" TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domains" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "reseller_id" UUID,
    "status" "DomainStatus" NOT NULL DEFAULT 'pending_verification',
    "verification_token" TEXT NOT NULL,
    "verified_at" TIMESTAMPTZ(3),
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_aliases" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "target_domain_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "domain_aliases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailboxes" (
    "id" UUID NOT NULL,
    "domain_id" UUID NOT NULL,
    "local_part" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "display_name" TEXT,
    "password_hash" TEXT NOT NULL,
    "quota_bytes" BIGINT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "imap_enabled" BOOLEAN NOT NULL DEFAULT true,
    "pop3_enabled" BOOLEAN NOT NULL DEFAULT true,
    "smtp_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mailboxes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "aliases" (
    "id" UUID NOT NULL,
    "domain_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "destinations" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "aliases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "name_claims" (
    "name" TEXT NOT NULL,
    "domain_id" UUID,
    "domain_alias_id" UUID,
    "mailbox_id" UUID,
    "alias_id" UUID,

    CONSTRAINT "name_claims_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "reseller_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "request_id" TEXT,
    "ip" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotent_requests" (
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" INTEGER,
    "body" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotent_requests_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "api_keys_reseller_id_id_idx" ON "api_keys"("reseller_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "domains_name_key" ON "domains"("name");

-- CreateIndex
CREATE INDEX "domains_reseller_id_name_idx" ON "domains"("reseller_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "domain_aliases_name_key" ON "domain_aliases"("name");

-- CreateIndex
CREATE INDEX "domain_aliases_target_domain_id_idx" ON "domain_aliases"("target_domain_id");

-- CreateIndex
CREATE UNIQUE INDEX "mailboxes_address_key" ON "mailboxes"("address");

-- CreateIndex
CREATE INDEX "mailboxes_domain_id_address_idx" ON "mailboxes"("domain_id", "address");

-- CreateIndex
CREATE UNIQUE INDEX "aliases_source_key" ON "aliases"("source");

-- CreateIndex
CREATE INDEX "aliases_domain_id_source_idx" ON "aliases"("domain_id", "source");

-- CreateIndex
CREATE UNIQUE INDEX "name_claims_domain_id_key" ON "name_claims"("domain_id");

-- CreateIndex
CREATE UNIQUE INDEX "name_claims_domain_alias_id_key" ON "name_claims"("domain_alias_id");

-- CreateIndex
CREATE UNIQUE INDEX "name_claims_mailbox_id_key" ON "name_claims"("mailbox_id");

-- CreateIndex
CREATE UNIQUE INDEX "name_claims_alias_id_key" ON "name_claims"("alias_id");

-- CreateIndex
CREATE INDEX "audit_log_reseller_id_created_at_idx" ON "audit_log"("reseller_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_reseller_id_fkey" FOREIGN KEY ("reseller_id") REFERENCES "resellers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domains" ADD CONSTRAINT "domains_reseller_id_fkey" FOREIGN KEY ("reseller_id") REFERENCES "resellers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domain_aliases" ADD CONSTRAINT "domain_aliases_target_domain_id_fkey" FOREIGN KEY ("target_domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aliases" ADD CONSTRAINT "aliases_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "name_claims" ADD CONSTRAINT "name_claims_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "name_claims" ADD CONSTRAINT "name_claims_domain_alias_id_fkey" FOREIGN KEY ("domain_alias_id") REFERENCES "domain_aliases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "name_claims" ADD CONSTRAINT "name_claims_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailboxes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "name_claims" ADD CONSTRAINT "name_claims_alias_id_fkey" FOREIGN KEY ("alias_id") REFERENCES "aliases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

