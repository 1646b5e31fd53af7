-- Deleting a marked source must not make what only it supported visible to more callers: before the
-- source goes, each name or claim it alone supports takes the source's marking as its own (raised,
-- never lowered), so its visibility stays as it was once the citations are gone.
CREATE FUNCTION "source_deleting"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  fact record;
BEGIN
  FOR fact IN SELECT * FROM (VALUES ('Name', 'nameId'), ('Attribution', 'attributionId'), ('ToolUsage', 'toolUsageId'), ('Targeting', 'targetingId'), ('Association', 'associationId')) AS f(tbl, citing) LOOP
    EXECUTE format(
      'UPDATE %I t SET tlp = GREATEST(t.tlp, $1)
        WHERE t.id IN (SELECT c.%I FROM "Citation" c WHERE c."sourceId" = $2)
          AND NOT EXISTS (SELECT 1 FROM "Citation" o WHERE o.%I = t.id AND o."sourceId" <> $2)
          AND t.tlp < $1', fact.tbl, fact.citing, fact.citing) USING OLD.tlp, OLD.id;
  END LOOP;
  RETURN OLD;
END $$;
CREATE TRIGGER "Source_deleting" BEFORE DELETE ON "Source" FOR EACH ROW EXECUTE FUNCTION "source_deleting"();
