-- Derived tools and victims are ordered by name in the "C" collation (the same order on every server
-- and on PGlite, whatever the database's own collation). An actor behind tens of thousands of victims
-- gets its page by walking the targets in that order and stopping at the page's end
-- (src/schema/derived-loaders.ts), which needs the order in an index. Expression indexes: Prisma's
-- schema cannot declare a column's collation in an index, and its diff leaves them alone.
CREATE INDEX "Victim_name_c_id_idx" ON "Victim" ((name COLLATE "C"), id);
CREATE INDEX "Tool_name_c_id_idx" ON "Tool" ((name COLLATE "C"), id);
