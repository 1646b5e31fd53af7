-- AlterTable
ALTER TABLE "Citation" ADD COLUMN     "techniqueUseId" UUID;

-- AlterTable
ALTER TABLE "DatasetRecord" ADD COLUMN     "tacticId" UUID,
ADD COLUMN     "techniqueId" UUID;

-- CreateTable
CREATE TABLE "Tactic" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "attackId" TEXT NOT NULL,
    "shortName" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "url" TEXT,
    "position" INTEGER NOT NULL,
    "dataset" TEXT NOT NULL DEFAULT 'mitre-attack',
    "modifiedAt" TIMESTAMP(3),
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tactic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Technique" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "attackId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "url" TEXT,
    "tactics" TEXT[],
    "platforms" TEXT[],
    "isSubtechnique" BOOLEAN NOT NULL DEFAULT false,
    "parentId" UUID,
    "searchText" TEXT NOT NULL DEFAULT '',
    "dataset" TEXT NOT NULL DEFAULT 'mitre-attack',
    "revoked" BOOLEAN NOT NULL DEFAULT false,
    "deprecated" BOOLEAN NOT NULL DEFAULT false,
    "revokedBy" TEXT,
    "modifiedAt" TIMESTAMP(3),
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Technique_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TechniqueUse" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID,
    "techniqueId" UUID NOT NULL,
    "confidence" INTEGER,
    "confidenceLabel" TEXT,
    "firstObserved" DATE,
    "lastObserved" DATE,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CURRENT',
    "note" TEXT,
    "modifiedAt" TIMESTAMP(3),
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "visibility" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TechniqueUse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tactic_key_key" ON "Tactic"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Tactic_attackId_key" ON "Tactic"("attackId");

-- CreateIndex
CREATE UNIQUE INDEX "Tactic_shortName_key" ON "Tactic"("shortName");

-- CreateIndex
CREATE INDEX "Tactic_position_idx" ON "Tactic"("position");

-- CreateIndex
CREATE UNIQUE INDEX "Technique_key_key" ON "Technique"("key");

-- CreateIndex
CREATE INDEX "Technique_attackId_idx" ON "Technique"("attackId");

-- CreateIndex
CREATE INDEX "Technique_parentId_idx" ON "Technique"("parentId");

-- CreateIndex
CREATE INDEX "Technique_name_id_idx" ON "Technique"("name", "id");

-- CreateIndex
CREATE INDEX "Technique_tactics_idx" ON "Technique" USING GIN ("tactics");

-- CreateIndex
CREATE UNIQUE INDEX "TechniqueUse_key_key" ON "TechniqueUse"("key");

-- CreateIndex
CREATE INDEX "TechniqueUse_actorId_techniqueId_visibility_idx" ON "TechniqueUse"("actorId", "techniqueId", "visibility");

-- CreateIndex
CREATE INDEX "TechniqueUse_campaignId_techniqueId_visibility_idx" ON "TechniqueUse"("campaignId", "techniqueId", "visibility");

-- CreateIndex
CREATE INDEX "TechniqueUse_toolId_techniqueId_visibility_idx" ON "TechniqueUse"("toolId", "techniqueId", "visibility");

-- CreateIndex
CREATE INDEX "TechniqueUse_techniqueId_id_visibility_idx" ON "TechniqueUse"("techniqueId", "id", "visibility");

-- CreateIndex
CREATE INDEX "Citation_techniqueUseId_createdAt_id_idx" ON "Citation"("techniqueUseId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "DatasetRecord_techniqueId_idx" ON "DatasetRecord"("techniqueId");

-- CreateIndex
CREATE INDEX "DatasetRecord_tacticId_idx" ON "DatasetRecord"("tacticId");

-- AddForeignKey
ALTER TABLE "DatasetRecord" ADD CONSTRAINT "DatasetRecord_techniqueId_fkey" FOREIGN KEY ("techniqueId") REFERENCES "Technique"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetRecord" ADD CONSTRAINT "DatasetRecord_tacticId_fkey" FOREIGN KEY ("tacticId") REFERENCES "Tactic"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Technique" ADD CONSTRAINT "Technique_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Technique"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TechniqueUse" ADD CONSTRAINT "TechniqueUse_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TechniqueUse" ADD CONSTRAINT "TechniqueUse_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TechniqueUse" ADD CONSTRAINT "TechniqueUse_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TechniqueUse" ADD CONSTRAINT "TechniqueUse_techniqueId_fkey" FOREIGN KEY ("techniqueId") REFERENCES "Technique"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_techniqueUseId_fkey" FOREIGN KEY ("techniqueUseId") REFERENCES "TechniqueUse"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A technique use is a fact like the other claims: its visibility is its own marking, raised to its
-- sources' (the lowest among them) and to the markings of the records it names, kept by the same
-- triggers (see access_control and record_markings).
CREATE OR REPLACE FUNCTION "named_records_marking"(r jsonb) RETURNS "Tlp" LANGUAGE sql STABLE AS $$
  SELECT GREATEST('CLEAR'::"Tlp",
    (SELECT tlp FROM "Actor" WHERE id = (r->>'actorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'subjectActorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'fromActorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'toActorId')::uuid),
    (SELECT tlp FROM "Campaign" WHERE id = (r->>'campaignId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'toolId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'fromToolId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'toToolId')::uuid),
    (SELECT tlp FROM "Victim" WHERE id = (r->>'victimId')::uuid),
    (SELECT tlp FROM "Technique" WHERE id = (r->>'techniqueId')::uuid))
$$;

CREATE OR REPLACE FUNCTION "fact_visibility_on_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.visibility := GREATEST(NEW.tlp, "named_records_marking"(to_jsonb(NEW)));
  ELSIF NEW.tlp IS DISTINCT FROM OLD.tlp OR (to_jsonb(NEW) - 'visibility' - 'version' - 'updatedAt') IS DISTINCT FROM (to_jsonb(OLD) - 'visibility' - 'version' - 'updatedAt') THEN
    NEW.visibility := GREATEST(NEW.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
      WHERE c."nameId" = NEW.id OR c."attributionId" = NEW.id OR c."toolUsageId" = NEW.id OR c."targetingId" = NEW.id OR c."associationId" = NEW.id OR c."techniqueUseId" = NEW.id), 'CLEAR'::"Tlp"),
      "named_records_marking"(to_jsonb(NEW)));
  END IF;
  RETURN NEW;
END $$;

-- Technique uses come by the ten thousand (ATT&CK ships 16,017): their visibility is worked out for a
-- whole statement's rows at once, by joins, where the row-by-row functions above cost ~1 ms a row on
-- the embedded database (15 s for ATT&CK's uses, 11 s more for their citations; measured).
CREATE FUNCTION "refresh_technique_use_visibility"(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE "TechniqueUse" t SET visibility = v.visibility FROM (
    SELECT u.id, GREATEST(u.tlp, COALESCE(c.lowest, 'CLEAR'::"Tlp"), COALESCE(a.tlp, 'CLEAR'::"Tlp"),
             COALESCE(cp.tlp, 'CLEAR'::"Tlp"), COALESCE(tl.tlp, 'CLEAR'::"Tlp"), COALESCE(te.tlp, 'CLEAR'::"Tlp")) AS visibility
      FROM "TechniqueUse" u
      LEFT JOIN (SELECT ci."techniqueUseId" AS id, min(s.tlp) AS lowest FROM "Citation" ci JOIN "Source" s ON s.id = ci."sourceId"
                  WHERE ci."techniqueUseId" = ANY(ids) GROUP BY 1) c ON c.id = u.id
      LEFT JOIN "Actor" a ON a.id = u."actorId"
      LEFT JOIN "Campaign" cp ON cp.id = u."campaignId"
      LEFT JOIN "Tool" tl ON tl.id = u."toolId"
      LEFT JOIN "Technique" te ON te.id = u."techniqueId"
     WHERE u.id = ANY(ids)) v
   WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility
$$;
CREATE OR REPLACE FUNCTION "refresh_visibility"(tbl text, citing text, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  IF tbl = 'TechniqueUse' THEN
    PERFORM "refresh_technique_use_visibility"(ids);
    RETURN;
  END IF;
  EXECUTE format(
    'UPDATE %I t SET visibility = v.visibility FROM (
       SELECT t2.id, GREATEST(t2.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE c.%I = t2.id), ''CLEAR''::"Tlp"),
                     "named_records_marking"(to_jsonb(t2))) AS visibility
         FROM %I t2 WHERE t2.id = ANY($1)) v
     WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility', tbl, citing, tbl) USING ids;
END $$;
CREATE FUNCTION "technique_uses_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "refresh_technique_use_visibility"((SELECT array_agg(id) FROM changed_rows));
  RETURN NULL;
END $$;
CREATE TRIGGER "TechniqueUse_inserted_visibility" AFTER INSERT ON "TechniqueUse" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "technique_uses_inserted"();
CREATE TRIGGER "TechniqueUse_visibility" BEFORE UPDATE OF tlp, "actorId", "campaignId", "toolId", "techniqueId" ON "TechniqueUse" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();

CREATE OR REPLACE FUNCTION "citation_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "refresh_visibility"('Name', 'nameId', (SELECT array_agg(DISTINCT "nameId") FROM changed WHERE "nameId" IS NOT NULL));
  PERFORM "refresh_visibility"('Attribution', 'attributionId', (SELECT array_agg(DISTINCT "attributionId") FROM changed WHERE "attributionId" IS NOT NULL));
  PERFORM "refresh_visibility"('ToolUsage', 'toolUsageId', (SELECT array_agg(DISTINCT "toolUsageId") FROM changed WHERE "toolUsageId" IS NOT NULL));
  PERFORM "refresh_visibility"('Targeting', 'targetingId', (SELECT array_agg(DISTINCT "targetingId") FROM changed WHERE "targetingId" IS NOT NULL));
  PERFORM "refresh_visibility"('Association', 'associationId', (SELECT array_agg(DISTINCT "associationId") FROM changed WHERE "associationId" IS NOT NULL));
  PERFORM "refresh_visibility"('TechniqueUse', 'techniqueUseId', (SELECT array_agg(DISTINCT "techniqueUseId") FROM changed WHERE "techniqueUseId" IS NOT NULL));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "source_marking_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed s JOIN old_rows o ON o.id = s.id WHERE o.tlp IS DISTINCT FROM s.tlp) THEN RETURN NULL; END IF;
  PERFORM "refresh_visibility"('Name', 'nameId', (SELECT array_agg(DISTINCT c."nameId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."nameId" IS NOT NULL));
  PERFORM "refresh_visibility"('Attribution', 'attributionId', (SELECT array_agg(DISTINCT c."attributionId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."attributionId" IS NOT NULL));
  PERFORM "refresh_visibility"('ToolUsage', 'toolUsageId', (SELECT array_agg(DISTINCT c."toolUsageId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."toolUsageId" IS NOT NULL));
  PERFORM "refresh_visibility"('Targeting', 'targetingId', (SELECT array_agg(DISTINCT c."targetingId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."targetingId" IS NOT NULL));
  PERFORM "refresh_visibility"('Association', 'associationId', (SELECT array_agg(DISTINCT c."associationId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."associationId" IS NOT NULL));
  PERFORM "refresh_visibility"('TechniqueUse', 'techniqueUseId', (SELECT array_agg(DISTINCT c."techniqueUseId") FROM "Citation" c JOIN changed s ON s.id = c."sourceId" WHERE c."techniqueUseId" IS NOT NULL));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "source_deleting"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fact record;
BEGIN
  FOR fact IN SELECT * FROM (VALUES ('Name', 'nameId'), ('Attribution', 'attributionId'), ('ToolUsage', 'toolUsageId'), ('Targeting', 'targetingId'), ('Association', 'associationId'), ('TechniqueUse', 'techniqueUseId')) AS f(tbl, citing) LOOP
    EXECUTE format(
      'UPDATE %I t SET tlp = GREATEST(t.tlp, $1)
        WHERE t.id IN (SELECT c.%I FROM "Citation" c WHERE c."sourceId" = $2)
          AND NOT EXISTS (SELECT 1 FROM "Citation" o WHERE o.%I = t.id AND o."sourceId" <> $2)
          AND t.tlp < $1', fact.tbl, fact.citing, fact.citing) USING OLD.tlp, OLD.id;
  END LOOP;
  RETURN OLD;
END $$;

CREATE OR REPLACE FUNCTION "record_marking_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fact record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed s JOIN old_rows o ON o.id = s.id WHERE o.tlp IS DISTINCT FROM s.tlp) THEN RETURN NULL; END IF;
  FOR fact IN SELECT * FROM (VALUES
      ('Actor', 'Name', 'nameId', 'actorId'), ('Actor', 'Attribution', 'attributionId', 'actorId'), ('Actor', 'Attribution', 'attributionId', 'subjectActorId'),
      ('Actor', 'ToolUsage', 'toolUsageId', 'actorId'), ('Actor', 'Targeting', 'targetingId', 'actorId'), ('Actor', 'Association', 'associationId', 'fromActorId'), ('Actor', 'Association', 'associationId', 'toActorId'),
      ('Actor', 'TechniqueUse', 'techniqueUseId', 'actorId'),
      ('Campaign', 'Name', 'nameId', 'campaignId'), ('Campaign', 'Attribution', 'attributionId', 'campaignId'), ('Campaign', 'ToolUsage', 'toolUsageId', 'campaignId'), ('Campaign', 'Targeting', 'targetingId', 'campaignId'),
      ('Campaign', 'TechniqueUse', 'techniqueUseId', 'campaignId'),
      ('Tool', 'Name', 'nameId', 'toolId'), ('Tool', 'Attribution', 'attributionId', 'toolId'), ('Tool', 'ToolUsage', 'toolUsageId', 'toolId'), ('Tool', 'Association', 'associationId', 'fromToolId'), ('Tool', 'Association', 'associationId', 'toToolId'),
      ('Tool', 'TechniqueUse', 'techniqueUseId', 'toolId'),
      ('Technique', 'TechniqueUse', 'techniqueUseId', 'techniqueId'),
      ('Victim', 'Targeting', 'targetingId', 'victimId')) AS f(owner, tbl, citing, col)
    WHERE f.owner = TG_TABLE_NAME LOOP
    EXECUTE format('SELECT "refresh_visibility"(%L, %L, (SELECT array_agg(t.id) FROM %I t JOIN changed s ON s.id = t.%I))', fact.tbl, fact.citing, fact.tbl, fact.col);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER "Technique_marking_changed" AFTER UPDATE ON "Technique" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "record_marking_changed"();

-- Changes made other than through the write layer announce themselves, as for the other tables.
DO $$
DECLARE
  tbl text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['Technique', 'Tactic', 'TechniqueUse'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_insert', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_update', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_delete', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_truncate', tbl);
  END LOOP;
END $$;
