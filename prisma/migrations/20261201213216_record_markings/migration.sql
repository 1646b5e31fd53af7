-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Tool" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- AlterTable
ALTER TABLE "Victim" ADD COLUMN     "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR';

-- A name or claim tells of the records it names: its visibility is raised to their markings too (a
-- name of a TLP:RED actor, a tool usage by it, are TLP:RED), so that every read path that filters facts
-- on their visibility also keeps marked records out, whichever way it reaches them.
CREATE FUNCTION "named_records_marking"(r jsonb) RETURNS "Tlp" LANGUAGE sql STABLE AS $$
  SELECT GREATEST('CLEAR'::"Tlp",
    (SELECT tlp FROM "Actor" WHERE id = (r->>'actorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'subjectActorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'fromActorId')::uuid),
    (SELECT tlp FROM "Actor" WHERE id = (r->>'toActorId')::uuid),
    (SELECT tlp FROM "Campaign" WHERE id = (r->>'campaignId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'toolId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'fromToolId')::uuid),
    (SELECT tlp FROM "Tool" WHERE id = (r->>'toToolId')::uuid),
    (SELECT tlp FROM "Victim" WHERE id = (r->>'victimId')::uuid))
$$;

CREATE OR REPLACE FUNCTION "refresh_visibility"(tbl text, citing text, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  EXECUTE format(
    'UPDATE %I t SET visibility = v.visibility FROM (
       SELECT t2.id, GREATEST(t2.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId" WHERE c.%I = t2.id), ''CLEAR''::"Tlp"),
                     "named_records_marking"(to_jsonb(t2))) AS visibility
         FROM %I t2 WHERE t2.id = ANY($1)) v
     WHERE t.id = v.id AND t.visibility IS DISTINCT FROM v.visibility', tbl, citing, tbl) USING ids;
END $$;

-- A new row has no citations yet: its own marking and the records it names. A change of its marking or
-- of the records it names (a merge moves names and claims) is recomputed with its sources.
CREATE OR REPLACE FUNCTION "fact_visibility_on_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.visibility := GREATEST(NEW.tlp, "named_records_marking"(to_jsonb(NEW)));
  ELSIF NEW.tlp IS DISTINCT FROM OLD.tlp OR (to_jsonb(NEW) - 'visibility' - 'version' - 'updatedAt') IS DISTINCT FROM (to_jsonb(OLD) - 'visibility' - 'version' - 'updatedAt') THEN
    NEW.visibility := GREATEST(NEW.tlp, COALESCE((SELECT min(s.tlp) FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
      WHERE c."nameId" = NEW.id OR c."attributionId" = NEW.id OR c."toolUsageId" = NEW.id OR c."targetingId" = NEW.id OR c."associationId" = NEW.id), 'CLEAR'::"Tlp"),
      "named_records_marking"(to_jsonb(NEW)));
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER "Name_visibility" ON "Name";
DROP TRIGGER "Attribution_visibility" ON "Attribution";
DROP TRIGGER "ToolUsage_visibility" ON "ToolUsage";
DROP TRIGGER "Targeting_visibility" ON "Targeting";
DROP TRIGGER "Association_visibility" ON "Association";
CREATE TRIGGER "Name_visibility" BEFORE INSERT OR UPDATE OF tlp, "actorId", "campaignId", "toolId" ON "Name" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Attribution_visibility" BEFORE INSERT OR UPDATE OF tlp, "actorId", "subjectActorId", "campaignId", "toolId" ON "Attribution" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "ToolUsage_visibility" BEFORE INSERT OR UPDATE OF tlp, "actorId", "campaignId", "toolId" ON "ToolUsage" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Targeting_visibility" BEFORE INSERT OR UPDATE OF tlp, "actorId", "campaignId", "victimId" ON "Targeting" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();
CREATE TRIGGER "Association_visibility" BEFORE INSERT OR UPDATE OF tlp, "fromActorId", "toActorId", "fromToolId", "toToolId" ON "Association" FOR EACH ROW EXECUTE FUNCTION "fact_visibility_on_write"();

-- A record's marking changed: every name and claim that names it is recomputed.
CREATE FUNCTION "record_marking_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fact record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM changed s JOIN old_rows o ON o.id = s.id WHERE o.tlp IS DISTINCT FROM s.tlp) THEN RETURN NULL; END IF;
  FOR fact IN SELECT * FROM (VALUES
      ('Actor', 'Name', 'nameId', 'actorId'), ('Actor', 'Attribution', 'attributionId', 'actorId'), ('Actor', 'Attribution', 'attributionId', 'subjectActorId'),
      ('Actor', 'ToolUsage', 'toolUsageId', 'actorId'), ('Actor', 'Targeting', 'targetingId', 'actorId'), ('Actor', 'Association', 'associationId', 'fromActorId'), ('Actor', 'Association', 'associationId', 'toActorId'),
      ('Campaign', 'Name', 'nameId', 'campaignId'), ('Campaign', 'Attribution', 'attributionId', 'campaignId'), ('Campaign', 'ToolUsage', 'toolUsageId', 'campaignId'), ('Campaign', 'Targeting', 'targetingId', 'campaignId'),
      ('Tool', 'Name', 'nameId', 'toolId'), ('Tool', 'Attribution', 'attributionId', 'toolId'), ('Tool', 'ToolUsage', 'toolUsageId', 'toolId'), ('Tool', 'Association', 'associationId', 'fromToolId'), ('Tool', 'Association', 'associationId', 'toToolId'),
      ('Victim', 'Targeting', 'targetingId', 'victimId')) AS f(owner, tbl, citing, col)
    WHERE f.owner = TG_TABLE_NAME LOOP
    EXECUTE format('SELECT "refresh_visibility"(%L, %L, (SELECT array_agg(t.id) FROM %I t JOIN changed s ON s.id = t.%I))', fact.tbl, fact.citing, fact.tbl, fact.col);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER "Actor_marking_changed" AFTER UPDATE ON "Actor" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "record_marking_changed"();
CREATE TRIGGER "Campaign_marking_changed" AFTER UPDATE ON "Campaign" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "record_marking_changed"();
CREATE TRIGGER "Tool_marking_changed" AFTER UPDATE ON "Tool" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "record_marking_changed"();
CREATE TRIGGER "Victim_marking_changed" AFTER UPDATE ON "Victim" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "record_marking_changed"();
