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
-- of every process: one NOTIFY per statement that changed rows (PostgreSQL folds identical ones within a
-- transaction and delivers them at commit, only if it commits). A statement that changed no row (an
-- import's INSERT ... ON CONFLICT DO NOTHING of rows already there) says nothing.
CREATE FUNCTION "graph_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Two tests, not one OR: a TRUNCATE trigger has no transition table to plan the second against.
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('threat_actor_graph_changed', '');
  ELSIF EXISTS (SELECT 1 FROM changed_rows) THEN
    PERFORM pg_notify('threat_actor_graph_changed', '');
  END IF;
  RETURN NULL;
END $$;
DO $$
DECLARE
  tbl text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['Organization', 'Source', 'Actor', 'Campaign', 'Tool', 'Victim', 'Name', 'ExternalId', 'Attribution', 'ToolUsage', 'Targeting', 'Association', 'Citation', 'Merge', 'ApiKey'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_insert', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_update', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_delete', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_truncate', tbl);
  END LOOP;
END $$;
