-- AlterTable
ALTER TABLE "Attribution" ADD COLUMN     "assessedPrecision" "DatePrecision";

-- Data: an attribution "assessed" on its dataset's own timestamp (ATT&CK's relationship `created`) gets
-- the date of the earliest dated report it cites instead, with that date's precision, or none; a date
-- given by a person keeps DAY precision.
UPDATE "Attribution" a
   SET "assessedOn" = d.on, "assessedPrecision" = d.precision
  FROM (SELECT DISTINCT ON (c."attributionId") c."attributionId" AS id, s."publishedOn" AS on, s."publishedPrecision" AS precision
          FROM "Citation" c JOIN "Source" s ON s.id = c."sourceId"
         WHERE c."attributionId" IS NOT NULL AND s."publishedOn" IS NOT NULL AND s.kind <> 'DATASET'
         ORDER BY c."attributionId", s."publishedOn") d
 WHERE a.id = d.id AND a."assessedOn" = a."createdAt"::date AND a."modifiedAt" IS NOT NULL;
UPDATE "Attribution" SET "assessedOn" = NULL
 WHERE "assessedOn" = "createdAt"::date AND "modifiedAt" IS NOT NULL AND "assessedPrecision" IS NULL;
UPDATE "Attribution" SET "assessedPrecision" = 'DAY' WHERE "assessedOn" IS NOT NULL AND "assessedPrecision" IS NULL;
