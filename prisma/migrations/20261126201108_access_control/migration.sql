-- CreateEnum
CREATE TYPE "Role" AS ENUM ('READER', 'ANALYST', 'ADMIN');

-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Association" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Attribution" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Name" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Targeting" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Tool" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "ToolUsage" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Victim" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "clearance" "Tlp" NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "keyId" UUID,
    "keyName" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "operation" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" UUID NOT NULL,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "AuditEntry_entityType_entityId_at_idx" ON "AuditEntry"("entityType", "entityId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_at_id_idx" ON "AuditEntry"("at", "id");

-- Visibility of names and claims: the lowest clearance that sees the fact. It is its own marking,
-- raised to the lowest marking among its sources when it cites any: a fact whose every source is
-- hidden is hidden too. Kept here, by triggers, so that every write (seeds, imports, mutations, SQL by
-- hand) keeps it right and every read path filters on one column.
CREATE FUNCTION "refresh_visibility"(tbl text, citing text, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  EXECUTE format(
    'UPDATE %I t SET visibility = v.visibility FROM (
       SELECT t2.id, GREATEST(t2.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE c.%I = t2.id), ''CLEAR''::"Tlp")) AS visibility
         FROM %I t2 WHERE t2.id = ANY($1)) v
     WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility', tbl, citing, tbl) USING ids;
END $$;

-- A new row has no citations yet: it is seen at its own marking. A changed marking is recomputed.
CREATE FUNCTION "fact_visibility_on_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.visibility := NEW.tlp;
  ELSIF NEW.tlp IS DISTINCT FROM OLD.tlp THEN
    NEW.visibility := GREATEST(NEW.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
      WHERE c."nameId" = NEW.id OR c."attributionId" = NEW.id OR c."toolUsageId" = NEW.id OR c."targetingId" = NEW.id OR c."associationId" = NEW.id), 'CLEAR'::"Tlp"));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "Name_visibility" BEFORE INSERT OR UPDATE OF tlp ON "Name" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Attribution_visibility" BEFORE INSERT OR UPDATE OF tlp ON "Attribution" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "ToolUsage_visibility" BEFORE INSERT OR UPDATE OF tlp ON "ToolUsage" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Targeting_visibility" BEFORE INSERT OR UPDATE OF tlp ON "Targeting" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Association_visibility" BEFORE INSERT OR UPDATE OF tlp ON "Association" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();

-- Citations added or removed: recompute the facts they cite, once per statement (bulk loads insert
-- thousands of citations in one statement).
CREATE FUNCTION "citation_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "refresh_visibility"('Name', 'nameId', (SELECT array_agg(DISTINCT "nameId") FROM changed WHERE "nameId" IS NOT NULL));
  PERFORM "refresh_visibility"('Attribution', 'attributionId', (SELECT array_agg(DISTINCT "attributionId") FROM changed WHERE "attributionId" IS NOT NULL));
  PERFORM "refresh_visibility"('ToolUsage', 'toolUsageId', (SELECT array_agg(DISTINCT "toolUsageId") FROM changed WHERE "toolUsageId" IS NOT NULL));
  PERFORM "refresh_visibility"('Targeting', 'targetingId', (SELECT array_agg(DISTINCT "targetingId") FROM changed WHERE "targetingId" IS NOT NULL));
  PERFORM "refresh_visibility"('Association', 'associationId', (SELECT array_agg(DISTINCT "associationId") FROM changed WHERE "associationId" IS NOT NULL));
  RETURN NULL;
END $$;
CREATE TRIGGER "Citation_inserted" AFTER INSERT ON "Citation" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "citation_changed"();
CREATE TRIGGER "Citation_deleted" AFTER DELETE ON "Citation" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "citation_changed"();
CREATE TRIGGER "Citation_updated_old" AFTER UPDATE ON "Citation" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "citation_changed"();
CREATE TRIGGER "Citation_updated_new" AFTER UPDATE ON "Citation" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "citation_changed"();

-- A source's marking changed: every fact citing it is recomputed.
CREATE FUNCTION "source_marking_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed s JOIN old_rows o ON o.id = s.id WHERE o.tlp IS DISTINCT FROM s.tlp) THEN RETURN NULL; END IF;
  PERFORM "refresh_visibility"('Name', 'nameId', (SELECT array_agg(DISTINCT c."nameId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."nameId" IS NOT NULL));
  PERFORM "refresh_visibility"('Attribution', 'attributionId', (SELECT array_agg(DISTINCT c."attributionId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."attributionId" IS NOT NULL));
  PERFORM "refresh_visibility"('ToolUsage', 'toolUsageId', (SELECT array_agg(DISTINCT c."toolUsageId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."toolUsageId" IS NOT NULL));
  PERFORM "refresh_visibility"('Targeting', 'targetingId', (SELECT array_agg(DISTINCT c."targetingId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."targetingId" IS NOT NULL));
  PERFORM "refresh_visibility"('Association', 'associationId', (SELECT array_agg(DISTINCT c."associationId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."associationId" IS NOT NULL));
  RETURN NULL;
END $$;
CREATE TRIGGER "Source_marking_changed" AFTER UPDATE ON "Source" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "source_marking_changed"();

-- The audit log is append-only.
CREATE FUNCTION "audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'The audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "AuditEntry_no_truncate" BEFORE TRUNCATE ON "AuditEntry" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"();

-- Facts already stored that cite marked sources.
SELECT "refresh_visibility"('Name', 'nameId', (SELECT array_agg(DISTINCT c."nameId") FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE s.tlp <> 'CLEAR' AND c."nameId" IS NOT NULL));
SELECT "refresh_visibility"('Attribution', 'attributionId', (SELECT array_agg(DISTINCT c."attributionId") FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE s.tlp <> 'CLEAR' AND c."attributionId" IS NOT NULL));
SELECT "refresh_visibility"('ToolUsage', 'toolUsageId', (SELECT array_agg(DISTINCT c."toolUsageId") FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE s.tlp <> 'CLEAR' AND c."toolUsageId" IS NOT NULL));
SELECT "refresh_visibility"('Targeting', 'targetingId', (SELECT array_agg(DISTINCT c."targetingId") FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE s.tlp <> 'CLEAR' AND c."targetingId" IS NOT NULL));
SELECT "refresh_visibility"('Association', 'associationId', (SELECT array_agg(DISTINCT c."associationId") FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE s.tlp <> 'CLEAR' AND c."associationId" IS NOT NULL));

-- Search text no longer holds aliases (they are searched through "Name", with their visibility).
UPDATE "Actor" SET "searchText" = lower("name" || ' ' || coalesce("description", ''));
UPDATE "Campaign" SET "searchText" = lower("name" || ' ' || coalesce("description", ''));
UPDATE "Tool" SET "searchText" = lower("name" || ' ' || coalesce("description", ''));
