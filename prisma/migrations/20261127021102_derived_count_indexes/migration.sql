-- CreateIndex
CREATE INDEX "Targeting_actorId_victimId_visibility_idx" ON "Targeting"("actorId", "victimId", "visibility");

-- CreateIndex
CREATE INDEX "ToolUsage_actorId_toolId_visibility_idx" ON "ToolUsage"("actorId", "toolId", "visibility");
