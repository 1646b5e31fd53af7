-- DropIndex
DROP INDEX "Actor_searchText_idx";

-- DropIndex
DROP INDEX "Campaign_searchText_idx";

-- DropIndex
DROP INDEX "Tool_searchText_idx";

-- Descriptions are searched word by word (full-text, each word a prefix), no longer by trigram word
-- similarity, which compared the query with every candidate text (tens of ms at 50k campaigns).
-- Fuzzy matching stays on names. Expression indexes: Prisma's schema cannot declare them, and its
-- diff leaves them alone.
CREATE INDEX "Actor_searchText_fts_idx" ON "Actor" USING GIN (to_tsvector('simple', "searchText"));
CREATE INDEX "Campaign_searchText_fts_idx" ON "Campaign" USING GIN (to_tsvector('simple', "searchText"));
CREATE INDEX "Tool_searchText_fts_idx" ON "Tool" USING GIN (to_tsvector('simple', "searchText"));
