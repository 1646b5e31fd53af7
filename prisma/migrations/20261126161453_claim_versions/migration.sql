-- AlterTable
ALTER TABLE "Attribution" ADD COLUMN     "modifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Targeting" ADD COLUMN     "modifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ToolUsage" ADD COLUMN     "modifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Victim" ADD COLUMN     "modifiedAt" TIMESTAMP(3);
