-- One name per concept: the column is what the API calls it (Attribution.attributedToDescription),
-- renamed in place so that no value is lost (a schema diff would drop and re-add it).
ALTER TABLE "Attribution" RENAME COLUMN "attributedToText" TO "attributedToDescription";
