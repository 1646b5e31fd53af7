-- DropIndex
DROP INDEX "Attribution_actorId_assessedOn_idx";

-- DropIndex
DROP INDEX "Attribution_campaignId_assessedOn_idx";

-- DropIndex
DROP INDEX "Attribution_subjectActorId_idx";

-- DropIndex
DROP INDEX "Attribution_toolId_idx";

-- CreateIndex
CREATE INDEX "Attribution_campaignId_assessedOn_id_idx" ON "Attribution"("campaignId", "assessedOn", "id");

-- CreateIndex
CREATE INDEX "Attribution_subjectActorId_assessedOn_id_idx" ON "Attribution"("subjectActorId", "assessedOn", "id");

-- CreateIndex
CREATE INDEX "Attribution_toolId_assessedOn_id_idx" ON "Attribution"("toolId", "assessedOn", "id");

-- CreateIndex
CREATE INDEX "Attribution_actorId_assessedOn_id_idx" ON "Attribution"("actorId", "assessedOn", "id");
