-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "dataset" TEXT NOT NULL DEFAULT 'curated',
ADD COLUMN     "deprecated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "modifiedAt" TIMESTAMP(3),
ADD COLUMN     "revoked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "revokedBy" TEXT;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "dataset" TEXT NOT NULL DEFAULT 'curated',
ADD COLUMN     "deprecated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "modifiedAt" TIMESTAMP(3),
ADD COLUMN     "revoked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "revokedBy" TEXT;

-- AlterTable
ALTER TABLE "Tool" ADD COLUMN     "dataset" TEXT NOT NULL DEFAULT 'curated',
ADD COLUMN     "deprecated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "modifiedAt" TIMESTAMP(3),
ADD COLUMN     "revoked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "revokedBy" TEXT;

-- CreateIndex
CREATE INDEX "Source_url_idx" ON "Source"("url");
