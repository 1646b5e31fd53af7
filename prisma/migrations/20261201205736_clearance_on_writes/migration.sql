-- DropIndex
DROP INDEX "Name_actorId_normalized_key";

-- DropIndex
DROP INDEX "Name_campaignId_normalized_key";

-- DropIndex
DROP INDEX "Name_toolId_normalized_key";

-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Merge" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- CreateIndex
CREATE INDEX "Name_actorId_normalized_idx" ON "Name"("actorId", "normalized");

-- CreateIndex
CREATE INDEX "Name_campaignId_normalized_idx" ON "Name"("campaignId", "normalized");

-- CreateIndex
CREATE INDEX "Name_toolId_normalized_idx" ON "Name"("toolId", "normalized");

-- The audit log's entries take the marking of what they record: the highest marking or visibility in
-- their before and after. Existing entries are given theirs once (the append-only trigger is set aside
-- for this statement only).
ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only";
UPDATE "AuditEntry" SET visibility = COALESCE(GREATEST(
    ("before"->>'tlp')::"Tlp", ("before"->>'visibility')::"Tlp", ("after"->>'tlp')::"Tlp", ("after"->>'visibility')::"Tlp"), 'CLEAR');
ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only";
CREATE INDEX "AuditEntry_visibility_at_id_idx" ON "AuditEntry"("visibility", "at", "id");

-- Every change to the graph, however it is made (the API, an import, SQL by hand), tells the caches
-- of every process: one NOTIFY per statement (PostgreSQL folds identical ones within a transaction
-- and delivers them at commit, only if it commits).
CREATE FUNCTION "graph_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('threat_actor_graph_changed', '');
  RETURN NULL;
END $$;
DO $$
DECLARE
  tbl text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['Organization', 'Source', 'Actor', 'Campaign', 'Tool', 'Victim', 'Name', 'ExternalId', 'Attribution', 'ToolUsage', 'Targeting', 'Association', 'Citation', 'Merge', 'ApiKey'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_changed', tbl);
  END LOOP;
END $$;
