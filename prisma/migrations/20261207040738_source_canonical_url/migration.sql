-- DropIndex
DROP INDEX "Source_url_idx";

-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "canonicalUrl" TEXT;

-- CreateIndex
CREATE INDEX "Source_canonicalUrl_idx" ON "Source"("canonicalUrl");

-- Backfill: the canonical form src/write/source-urls.ts gives (an archived copy's original address; no
-- scheme, fragment, `www.`, or trailing slash; the host in lower case). Tracking parameters and default
-- ports are left for the write layer: a source whose stored form keeps one is matched again, and gets
-- the exact form, the next time an import writes it.
WITH stripped AS (
  SELECT id,
         regexp_replace(
           regexp_replace(
             regexp_replace(
               regexp_replace(url, '^https?://web\.archive\.org/web/[0-9]{1,14}[a-z_]*/', '', 'i'),
               '#.*$', ''),
             '^[a-z][a-z0-9+.-]*://', '', 'i'),
           '^www[0-9]?\.', '', 'i') AS rest
  FROM "Source"
  WHERE url IS NOT NULL
)
UPDATE "Source" s
SET "canonicalUrl" = lower(split_part(stripped.rest, '/', 1))
  || regexp_replace(substr(stripped.rest, length(split_part(stripped.rest, '/', 1)) + 1), '/+$', '')
FROM stripped
WHERE s.id = stripped.id;
