-- AlterTable
ALTER TABLE "ChangeEvent" ADD COLUMN     "state" JSONB;
