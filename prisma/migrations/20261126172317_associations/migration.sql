-- CreateEnum
CREATE TYPE "AssociationKind" AS ENUM ('SIMILAR', 'OVERLAPS', 'LINKED_TO', 'RELATED_TO', 'ASSOCIATED_WITH', 'VARIANT_OF');

-- AlterTable
ALTER TABLE "Citation" ADD COLUMN     "associationId" UUID;

-- CreateTable
CREATE TABLE "Association" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "kind" "AssociationKind" NOT NULL,
    "fromActorId" UUID,
    "toActorId" UUID,
    "fromToolId" UUID,
    "toToolId" UUID,
    "confidence" INTEGER,
    "confidenceLabel" TEXT,
    "firstObserved" DATE,
    "lastObserved" DATE,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CURRENT',
    "note" TEXT,
    "modifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Association_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Association_key_key" ON "Association"("key");

-- CreateIndex
CREATE INDEX "Association_fromActorId_idx" ON "Association"("fromActorId");

-- CreateIndex
CREATE INDEX "Association_toActorId_idx" ON "Association"("toActorId");

-- CreateIndex
CREATE INDEX "Association_fromToolId_idx" ON "Association"("fromToolId");

-- CreateIndex
CREATE INDEX "Association_toToolId_idx" ON "Association"("toToolId");

-- CreateIndex
CREATE INDEX "Citation_associationId_idx" ON "Citation"("associationId");

-- AddForeignKey
ALTER TABLE "Association" ADD CONSTRAINT "Association_fromActorId_fkey" FOREIGN KEY ("fromActorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Association" ADD CONSTRAINT "Association_toActorId_fkey" FOREIGN KEY ("toActorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Association" ADD CONSTRAINT "Association_fromToolId_fkey" FOREIGN KEY ("fromToolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Association" ADD CONSTRAINT "Association_toToolId_fkey" FOREIGN KEY ("toToolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_associationId_fkey" FOREIGN KEY ("associationId") REFERENCES "Association"("id") ON DELETE CASCADE ON UPDATE CASCADE;
