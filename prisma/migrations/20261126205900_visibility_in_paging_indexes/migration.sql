-- DropIndex
DROP INDEX "Attribution_actorId_assessedOn_id_idx";

-- DropIndex
DROP INDEX "Attribution_campaignId_assessedOn_id_idx";

-- DropIndex
DROP INDEX "Attribution_subjectActorId_assessedOn_id_idx";

-- DropIndex
DROP INDEX "Attribution_toolId_assessedOn_id_idx";

-- DropIndex
DROP INDEX "Name_actorId_value_id_idx";

-- DropIndex
DROP INDEX "Name_campaignId_value_id_idx";

-- DropIndex
DROP INDEX "Name_toolId_value_id_idx";

-- DropIndex
DROP INDEX "Targeting_actorId_id_idx";

-- DropIndex
DROP INDEX "Targeting_campaignId_id_idx";

-- DropIndex
DROP INDEX "Targeting_victimId_id_idx";

-- DropIndex
DROP INDEX "ToolUsage_actorId_id_idx";

-- DropIndex
DROP INDEX "ToolUsage_campaignId_id_idx";

-- DropIndex
DROP INDEX "ToolUsage_toolId_id_idx";

-- CreateIndex
CREATE INDEX "Attribution_campaignId_assessedOn_id_visibility_idx" ON "Attribution"("campaignId", "assessedOn", "id", "visibility");

-- CreateIndex
CREATE INDEX "Attribution_subjectActorId_assessedOn_id_visibility_idx" ON "Attribution"("subjectActorId", "assessedOn", "id", "visibility");

-- CreateIndex
CREATE INDEX "Attribution_toolId_assessedOn_id_visibility_idx" ON "Attribution"("toolId", "assessedOn", "id", "visibility");

-- CreateIndex
CREATE INDEX "Attribution_actorId_assessedOn_id_visibility_idx" ON "Attribution"("actorId", "assessedOn", "id", "visibility");

-- CreateIndex
CREATE INDEX "Name_actorId_value_id_visibility_idx" ON "Name"("actorId", "value", "id", "visibility");

-- CreateIndex
CREATE INDEX "Name_campaignId_value_id_visibility_idx" ON "Name"("campaignId", "value", "id", "visibility");

-- CreateIndex
CREATE INDEX "Name_toolId_value_id_visibility_idx" ON "Name"("toolId", "value", "id", "visibility");

-- CreateIndex
CREATE INDEX "Targeting_actorId_id_visibility_idx" ON "Targeting"("actorId", "id", "visibility");

-- CreateIndex
CREATE INDEX "Targeting_campaignId_id_visibility_idx" ON "Targeting"("campaignId", "id", "visibility");

-- CreateIndex
CREATE INDEX "Targeting_victimId_id_visibility_idx" ON "Targeting"("victimId", "id", "visibility");

-- CreateIndex
CREATE INDEX "ToolUsage_actorId_id_visibility_idx" ON "ToolUsage"("actorId", "id", "visibility");

-- CreateIndex
CREATE INDEX "ToolUsage_campaignId_id_visibility_idx" ON "ToolUsage"("campaignId", "id", "visibility");

-- CreateIndex
CREATE INDEX "ToolUsage_toolId_id_visibility_idx" ON "ToolUsage"("toolId", "id", "visibility");
