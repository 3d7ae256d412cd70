-- CreateEnum
CREATE TYPE "UsernameForm" AS ENUM ('address', 'local_part');

-- AlterTable
ALTER TABLE "resellers" ADD COLUMN     "imap_hostname" TEXT,
ADD COLUMN     "pop3_hostname" TEXT,
ADD COLUMN     "smtp_hostname" TEXT;

-- AlterTable
ALTER TABLE "domains" ADD COLUMN     "imap_hostname" TEXT,
ADD COLUMN     "pop3_hostname" TEXT,
ADD COLUMN     "smtp_hostname" TEXT;

-- CreateTable
CREATE TABLE "mail_endpoints" (
    "id" SMALLINT NOT NULL DEFAULT 1,
    "imap_host" TEXT NOT NULL,
    "imap_implicit_tls" BOOLEAN NOT NULL,
    "imap_implicit_tls_port" INTEGER NOT NULL,
    "imap_starttls" BOOLEAN NOT NULL,
    "imap_starttls_port" INTEGER NOT NULL,
    "pop3_host" TEXT NOT NULL,
    "pop3_implicit_tls" BOOLEAN NOT NULL,
    "pop3_implicit_tls_port" INTEGER NOT NULL,
    "pop3_starttls" BOOLEAN NOT NULL,
    "pop3_starttls_port" INTEGER NOT NULL,
    "smtp_host" TEXT NOT NULL,
    "smtp_implicit_tls" BOOLEAN NOT NULL,
    "smtp_implicit_tls_port" INTEGER NOT NULL,
    "smtp_starttls" BOOLEAN NOT NULL,
    "smtp_starttls_port" INTEGER NOT NULL,
    "username_form" "UsernameForm" NOT NULL DEFAULT 'address',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mail_endpoints_pkey" PRIMARY KEY ("id"),
    -- One row, the platform's (not expressible in the Prisma schema).
    CONSTRAINT "mail_endpoints_single_row" CHECK ("id" = 1)
);

-- CreateTable
CREATE TABLE "mail_service_checks" (
    "id" UUID NOT NULL,
    "protocol" TEXT NOT NULL,
    "encryption" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "problems" JSONB NOT NULL,
    "certificate_expires_at" TIMESTAMPTZ(3),
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mail_service_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "mail_service_checks_protocol_encryption_host_port_key" ON "mail_service_checks"("protocol", "encryption", "host", "port");

