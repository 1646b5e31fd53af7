-- CreateTable
CREATE TABLE "Merge" (
    "id" UUID NOT NULL,
    "entityType" TEXT NOT NULL,
    "survivorId" UUID NOT NULL,
    "absorbedId" UUID NOT NULL,
    "moved" JSONB NOT NULL,
    "previous" JSONB NOT NULL,
    "note" TEXT,
    "mergedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "splitAt" TIMESTAMP(3),
    "splitBy" TEXT,

    CONSTRAINT "Merge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Merge_survivorId_idx" ON "Merge"("survivorId");

-- CreateIndex
CREATE INDEX "Merge_absorbedId_idx" ON "Merge"("absorbedId");
