-- Records: each object a dataset or an import brought, kept whole with its versions (see the model's
-- comments in schema.prisma). Existing databases get their records on the next import of each dataset
-- (a re-import adds them and changes nothing else); the first start's seeding writes them directly.
-- CreateTable
CREATE TABLE "DatasetRecord" (
    "id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "modifiedAt" TIMESTAMPTZ(3),
    "original" JSONB NOT NULL,
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID,
    "joinRule" TEXT,
    "joinEvidence" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DatasetRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetRecordVersion" (
    "id" UUID NOT NULL,
    "recordId" UUID NOT NULL,
    "modifiedAt" TIMESTAMPTZ(3),
    "original" JSONB NOT NULL,
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "storedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetRecordVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DatasetRecord_actorId_idx" ON "DatasetRecord"("actorId");

-- CreateIndex
CREATE INDEX "DatasetRecord_campaignId_idx" ON "DatasetRecord"("campaignId");

-- CreateIndex
CREATE INDEX "DatasetRecord_toolId_idx" ON "DatasetRecord"("toolId");

-- CreateIndex
CREATE INDEX "DatasetRecord_dataset_format_id_idx" ON "DatasetRecord"("dataset", "format", "id");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetRecord_dataset_identifier_key" ON "DatasetRecord"("dataset", "identifier");

-- CreateIndex
CREATE INDEX "DatasetRecordVersion_recordId_modifiedAt_idx" ON "DatasetRecordVersion"("recordId", "modifiedAt");

-- AddForeignKey
ALTER TABLE "DatasetRecord" ADD CONSTRAINT "DatasetRecord_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetRecord" ADD CONSTRAINT "DatasetRecord_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetRecord" ADD CONSTRAINT "DatasetRecord_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetRecordVersion" ADD CONSTRAINT "DatasetRecordVersion_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "DatasetRecord"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Records are part of the graph: their changes tell every process's caches, as the other tables' do
-- (see clearance_on_writes).
DO $$
DECLARE
  tbl text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['DatasetRecord', 'DatasetRecordVersion'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_insert', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_update', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_delete', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "graph_changed"()', tbl || '_announce_truncate', tbl);
  END LOOP;
END $$;
