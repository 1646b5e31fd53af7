-- AlterTable
ALTER TABLE "DatasetRecordVersion" ADD COLUMN     "replaced" BOOLEAN;
