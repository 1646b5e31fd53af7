-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('ENTITY_CREATED', 'ENTITY_UPDATED', 'ENTITY_DELETED', 'ENTITY_REVOKED', 'ENTITY_MERGED', 'ENTITY_SPLIT', 'NAME_ADDED', 'NAME_UPDATED', 'NAME_REMOVED', 'CLAIM_RECORDED', 'CLAIM_UPDATED', 'CLAIM_SUPERSEDED', 'CLAIM_RETRACTED', 'CLAIM_DELETED', 'SOURCE_ADDED', 'SOURCE_UPDATED', 'SOURCE_DELETED');

-- CreateTable
CREATE TABLE "ChangeEvent" (
    "seq" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "kind" "ChangeKind" NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" UUID NOT NULL,
    "concerns" UUID[],
    "fields" TEXT[],
    "sourcesAdded" UUID[],
    "sourcesWithdrawn" UUID[],
    "operation" TEXT NOT NULL,
    "keyName" TEXT NOT NULL,
    "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR',

    CONSTRAINT "ChangeEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "ChangeEvent_at_idx" ON "ChangeEvent"("at");

-- CreateIndex
CREATE INDEX "ChangeEvent_entityType_entityId_seq_idx" ON "ChangeEvent"("entityType", "entityId", "seq");

-- CreateIndex
CREATE INDEX "ChangeEvent_concerns_idx" ON "ChangeEvent" USING GIN ("concerns");

-- CreateIndex
CREATE INDEX "ChangeEvent_visibility_seq_idx" ON "ChangeEvent"("visibility", "seq");

-- The change log is history: appended by the write layer, never rewritten (as the audit log).
CREATE TRIGGER "ChangeEvent_append_only" BEFORE UPDATE OR DELETE ON "ChangeEvent" FOR EACH ROW EXECUTE FUNCTION "audit_append_only"();
CREATE TRIGGER "ChangeEvent_no_truncate" BEFORE TRUNCATE ON "ChangeEvent" FOR EACH STATEMENT EXECUTE FUNCTION "audit_append_only"();

-- What a caller may not see, as one list of ids: the change log leaves out events that concern any of
-- them (a record marked above the caller's clearance since the event was written answers as missing in
-- the log too). Few rows are marked: partial indexes over them keep this a handful of index scans.
CREATE INDEX "Actor_marked_idx" ON "Actor"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Campaign_marked_idx" ON "Campaign"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Tool_marked_idx" ON "Tool"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Victim_marked_idx" ON "Victim"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Organization_marked_idx" ON "Organization"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Technique_marked_idx" ON "Technique"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Tactic_marked_idx" ON "Tactic"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Source_marked_idx" ON "Source"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Merge_marked_idx" ON "Merge"(id) WHERE tlp <> 'CLEAR';
CREATE INDEX "Name_marked_idx" ON "Name"(id) WHERE visibility <> 'CLEAR';
CREATE INDEX "Attribution_marked_idx" ON "Attribution"(id) WHERE visibility <> 'CLEAR';
CREATE INDEX "ToolUsage_marked_idx" ON "ToolUsage"(id) WHERE visibility <> 'CLEAR';
CREATE INDEX "Targeting_marked_idx" ON "Targeting"(id) WHERE visibility <> 'CLEAR';
CREATE INDEX "Association_marked_idx" ON "Association"(id) WHERE visibility <> 'CLEAR';
CREATE INDEX "TechniqueUse_marked_idx" ON "TechniqueUse"(id) WHERE visibility <> 'CLEAR';
CREATE FUNCTION "hidden_records"(clearance "Tlp") RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT COALESCE(array_agg(id), '{}') FROM (
    SELECT id FROM "Actor" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Campaign" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Tool" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Victim" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Organization" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Technique" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Tactic" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Source" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Merge" WHERE tlp <> 'CLEAR' AND tlp > clearance
    UNION ALL
    SELECT id FROM "Name" WHERE visibility <> 'CLEAR' AND visibility > clearance
    UNION ALL
    SELECT id FROM "Attribution" WHERE visibility <> 'CLEAR' AND visibility > clearance
    UNION ALL
    SELECT id FROM "ToolUsage" WHERE visibility <> 'CLEAR' AND visibility > clearance
    UNION ALL
    SELECT id FROM "Targeting" WHERE visibility <> 'CLEAR' AND visibility > clearance
    UNION ALL
    SELECT id FROM "Association" WHERE visibility <> 'CLEAR' AND visibility > clearance
    UNION ALL
    SELECT id FROM "TechniqueUse" WHERE visibility <> 'CLEAR' AND visibility > clearance
  ) hidden
$$;
