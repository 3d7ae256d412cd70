-- At most one unresolved alert per owner and dedupe key: a tenant (reseller_id) or the platform
-- (NULL, hence NULLS NOT DISTINCT, PostgreSQL 15+). Keyed on the dedupe key alone, an IP attacking
-- two tenants refreshed the alert of the first tenant with the evidence of the second.
DROP INDEX "alerts_unresolved_dedupe_key";
CREATE UNIQUE INDEX "alerts_unresolved_dedupe_key" ON "alerts"("reseller_id", "dedupe_key") NULLS NOT DISTINCT
  WHERE "state" <> 'resolved' AND "dedupe_key" IS NOT NULL;
