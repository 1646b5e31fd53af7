-- DropIndex
DROP INDEX "Citation_actorId_idx";

-- DropIndex
DROP INDEX "Citation_associationId_idx";

-- DropIndex
DROP INDEX "Citation_attributionId_idx";

-- DropIndex
DROP INDEX "Citation_campaignId_idx";

-- DropIndex
DROP INDEX "Citation_nameId_idx";

-- DropIndex
DROP INDEX "Citation_targetingId_idx";

-- DropIndex
DROP INDEX "Citation_toolId_idx";

-- DropIndex
DROP INDEX "Citation_toolUsageId_idx";

-- DropIndex
DROP INDEX "Citation_victimId_idx";

-- DropIndex
DROP INDEX "Targeting_actorId_idx";

-- DropIndex
DROP INDEX "Targeting_campaignId_idx";

-- DropIndex
DROP INDEX "Targeting_victimId_idx";

-- DropIndex
DROP INDEX "ToolUsage_actorId_idx";

-- DropIndex
DROP INDEX "ToolUsage_campaignId_idx";

-- DropIndex
DROP INDEX "ToolUsage_toolId_idx";

-- CreateIndex
CREATE INDEX "Citation_nameId_createdAt_id_idx" ON "Citation"("nameId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_attributionId_createdAt_id_idx" ON "Citation"("attributionId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_toolUsageId_createdAt_id_idx" ON "Citation"("toolUsageId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_targetingId_createdAt_id_idx" ON "Citation"("targetingId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_associationId_createdAt_id_idx" ON "Citation"("associationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_actorId_createdAt_id_idx" ON "Citation"("actorId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_campaignId_createdAt_id_idx" ON "Citation"("campaignId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_toolId_createdAt_id_idx" ON "Citation"("toolId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Citation_victimId_createdAt_id_idx" ON "Citation"("victimId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Name_actorId_value_id_idx" ON "Name"("actorId", "value", "id");

-- CreateIndex
CREATE INDEX "Name_campaignId_value_id_idx" ON "Name"("campaignId", "value", "id");

-- CreateIndex
CREATE INDEX "Name_toolId_value_id_idx" ON "Name"("toolId", "value", "id");

-- CreateIndex
CREATE INDEX "Targeting_actorId_id_idx" ON "Targeting"("actorId", "id");

-- CreateIndex
CREATE INDEX "Targeting_campaignId_id_idx" ON "Targeting"("campaignId", "id");

-- CreateIndex
CREATE INDEX "Targeting_victimId_id_idx" ON "Targeting"("victimId", "id");

-- CreateIndex
CREATE INDEX "ToolUsage_actorId_id_idx" ON "ToolUsage"("actorId", "id");

-- CreateIndex
CREATE INDEX "ToolUsage_campaignId_id_idx" ON "ToolUsage"("campaignId", "id");

-- CreateIndex
CREATE INDEX "ToolUsage_toolId_id_idx" ON "ToolUsage"("toolId", "id");
