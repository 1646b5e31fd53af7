-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "Tlp" AS ENUM ('CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED');

-- CreateEnum
CREATE TYPE "SourceKind" AS ENUM ('REPORT', 'ADVISORY', 'ARTICLE', 'BLOG_POST', 'CONFERENCE_TALK', 'DATASET', 'PRESS_RELEASE');

-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('DAY', 'MONTH', 'YEAR');

-- CreateEnum
CREATE TYPE "ToolKind" AS ENUM ('MALWARE', 'TOOL');

-- CreateEnum
CREATE TYPE "VictimKind" AS ENUM ('ORGANIZATION', 'SECTOR', 'COUNTRY', 'REGION');

-- CreateEnum
CREATE TYPE "ClaimStatus" AS ENUM ('CURRENT', 'SUPERSEDED', 'DISPUTED', 'RETRACTED');

-- CreateTable
CREATE TABLE "Organization" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "country" CHAR(2),
    "url" TEXT,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Source" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "alternateUrls" TEXT[],
    "publishedOn" DATE,
    "publishedPrecision" "DatePrecision" NOT NULL DEFAULT 'DAY',
    "kind" "SourceKind" NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "tlp" "Tlp" NOT NULL DEFAULT 'CLEAR',
    "authors" TEXT[],
    "note" TEXT,
    "publisherId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Source_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Actor" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "originCountry" CHAR(2),
    "sponsor" TEXT,
    "motivations" TEXT[],
    "firstSeen" DATE,
    "lastSeen" DATE,
    "searchText" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Actor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "objective" TEXT,
    "firstSeen" DATE,
    "lastSeen" DATE,
    "estimatedLossUsd" DECIMAL(20,2),
    "confirmedLossUsd" DECIMAL(20,2),
    "searchText" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tool" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ToolKind" NOT NULL,
    "malwareTypes" TEXT[],
    "platforms" TEXT[],
    "description" TEXT,
    "searchText" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Victim" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "VictimKind" NOT NULL,
    "country" CHAR(2),
    "sector" TEXT,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Victim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Name" (
    "id" UUID NOT NULL,
    "value" TEXT NOT NULL,
    "normalized" TEXT NOT NULL,
    "coinedById" UUID,
    "note" TEXT,
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Name_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExternalId" (
    "id" UUID NOT NULL,
    "system" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "url" TEXT,
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID,

    CONSTRAINT "ExternalId_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attribution" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "campaignId" UUID,
    "subjectActorId" UUID,
    "toolId" UUID,
    "actorId" UUID,
    "attributedToText" TEXT,
    "attributedToCountries" TEXT[],
    "confidence" INTEGER,
    "confidenceLabel" TEXT,
    "assessedOn" DATE,
    "firstObserved" DATE,
    "lastObserved" DATE,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CURRENT',
    "supersededById" UUID,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Attribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ToolUsage" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID NOT NULL,
    "confidence" INTEGER,
    "confidenceLabel" TEXT,
    "firstObserved" DATE,
    "lastObserved" DATE,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CURRENT',
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ToolUsage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Targeting" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "actorId" UUID,
    "campaignId" UUID,
    "victimId" UUID NOT NULL,
    "confidence" INTEGER,
    "confidenceLabel" TEXT,
    "firstObserved" DATE,
    "lastObserved" DATE,
    "status" "ClaimStatus" NOT NULL DEFAULT 'CURRENT',
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Targeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Citation" (
    "id" UUID NOT NULL,
    "sourceId" UUID NOT NULL,
    "excerpt" TEXT,
    "field" TEXT,
    "nameId" UUID,
    "attributionId" UUID,
    "toolUsageId" UUID,
    "targetingId" UUID,
    "actorId" UUID,
    "campaignId" UUID,
    "toolId" UUID,
    "victimId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Citation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_key_key" ON "Organization"("key");

-- CreateIndex
CREATE INDEX "Organization_name_idx" ON "Organization"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Source_key_key" ON "Source"("key");

-- CreateIndex
CREATE INDEX "Source_publisherId_publishedOn_idx" ON "Source"("publisherId", "publishedOn");

-- CreateIndex
CREATE INDEX "Source_publishedOn_id_idx" ON "Source"("publishedOn", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Actor_key_key" ON "Actor"("key");

-- CreateIndex
CREATE INDEX "Actor_originCountry_idx" ON "Actor"("originCountry");

-- CreateIndex
CREATE INDEX "Actor_name_id_idx" ON "Actor"("name", "id");

-- CreateIndex
CREATE INDEX "Actor_searchText_idx" ON "Actor" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_key_key" ON "Campaign"("key");

-- CreateIndex
CREATE INDEX "Campaign_name_id_idx" ON "Campaign"("name", "id");

-- CreateIndex
CREATE INDEX "Campaign_firstSeen_id_idx" ON "Campaign"("firstSeen", "id");

-- CreateIndex
CREATE INDEX "Campaign_searchText_idx" ON "Campaign" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Tool_key_key" ON "Tool"("key");

-- CreateIndex
CREATE INDEX "Tool_kind_name_idx" ON "Tool"("kind", "name");

-- CreateIndex
CREATE INDEX "Tool_name_id_idx" ON "Tool"("name", "id");

-- CreateIndex
CREATE INDEX "Tool_searchText_idx" ON "Tool" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Victim_key_key" ON "Victim"("key");

-- CreateIndex
CREATE INDEX "Victim_country_idx" ON "Victim"("country");

-- CreateIndex
CREATE INDEX "Victim_sector_idx" ON "Victim"("sector");

-- CreateIndex
CREATE INDEX "Victim_name_id_idx" ON "Victim"("name", "id");

-- CreateIndex
CREATE INDEX "Name_normalized_idx" ON "Name"("normalized");

-- CreateIndex
CREATE INDEX "Name_coinedById_idx" ON "Name"("coinedById");

-- CreateIndex
CREATE INDEX "Name_normalized_trgm_idx" ON "Name" USING GIN ("normalized" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "Name_actorId_normalized_key" ON "Name"("actorId", "normalized");

-- CreateIndex
CREATE UNIQUE INDEX "Name_campaignId_normalized_key" ON "Name"("campaignId", "normalized");

-- CreateIndex
CREATE UNIQUE INDEX "Name_toolId_normalized_key" ON "Name"("toolId", "normalized");

-- CreateIndex
CREATE INDEX "ExternalId_actorId_idx" ON "ExternalId"("actorId");

-- CreateIndex
CREATE INDEX "ExternalId_campaignId_idx" ON "ExternalId"("campaignId");

-- CreateIndex
CREATE INDEX "ExternalId_toolId_idx" ON "ExternalId"("toolId");

-- CreateIndex
CREATE UNIQUE INDEX "ExternalId_system_value_key" ON "ExternalId"("system", "value");

-- CreateIndex
CREATE UNIQUE INDEX "Attribution_key_key" ON "Attribution"("key");

-- CreateIndex
CREATE INDEX "Attribution_campaignId_assessedOn_idx" ON "Attribution"("campaignId", "assessedOn");

-- CreateIndex
CREATE INDEX "Attribution_subjectActorId_idx" ON "Attribution"("subjectActorId");

-- CreateIndex
CREATE INDEX "Attribution_toolId_idx" ON "Attribution"("toolId");

-- CreateIndex
CREATE INDEX "Attribution_actorId_assessedOn_idx" ON "Attribution"("actorId", "assessedOn");

-- CreateIndex
CREATE UNIQUE INDEX "ToolUsage_key_key" ON "ToolUsage"("key");

-- CreateIndex
CREATE INDEX "ToolUsage_actorId_idx" ON "ToolUsage"("actorId");

-- CreateIndex
CREATE INDEX "ToolUsage_campaignId_idx" ON "ToolUsage"("campaignId");

-- CreateIndex
CREATE INDEX "ToolUsage_toolId_idx" ON "ToolUsage"("toolId");

-- CreateIndex
CREATE UNIQUE INDEX "Targeting_key_key" ON "Targeting"("key");

-- CreateIndex
CREATE INDEX "Targeting_actorId_idx" ON "Targeting"("actorId");

-- CreateIndex
CREATE INDEX "Targeting_campaignId_idx" ON "Targeting"("campaignId");

-- CreateIndex
CREATE INDEX "Targeting_victimId_idx" ON "Targeting"("victimId");

-- CreateIndex
CREATE INDEX "Citation_sourceId_id_idx" ON "Citation"("sourceId", "id");

-- CreateIndex
CREATE INDEX "Citation_nameId_idx" ON "Citation"("nameId");

-- CreateIndex
CREATE INDEX "Citation_attributionId_idx" ON "Citation"("attributionId");

-- CreateIndex
CREATE INDEX "Citation_toolUsageId_idx" ON "Citation"("toolUsageId");

-- CreateIndex
CREATE INDEX "Citation_targetingId_idx" ON "Citation"("targetingId");

-- CreateIndex
CREATE INDEX "Citation_actorId_idx" ON "Citation"("actorId");

-- CreateIndex
CREATE INDEX "Citation_campaignId_idx" ON "Citation"("campaignId");

-- CreateIndex
CREATE INDEX "Citation_toolId_idx" ON "Citation"("toolId");

-- CreateIndex
CREATE INDEX "Citation_victimId_idx" ON "Citation"("victimId");

-- AddForeignKey
ALTER TABLE "Source" ADD CONSTRAINT "Source_publisherId_fkey" FOREIGN KEY ("publisherId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Name" ADD CONSTRAINT "Name_coinedById_fkey" FOREIGN KEY ("coinedById") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Name" ADD CONSTRAINT "Name_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Name" ADD CONSTRAINT "Name_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Name" ADD CONSTRAINT "Name_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExternalId" ADD CONSTRAINT "ExternalId_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExternalId" ADD CONSTRAINT "ExternalId_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExternalId" ADD CONSTRAINT "ExternalId_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attribution" ADD CONSTRAINT "Attribution_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attribution" ADD CONSTRAINT "Attribution_subjectActorId_fkey" FOREIGN KEY ("subjectActorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attribution" ADD CONSTRAINT "Attribution_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attribution" ADD CONSTRAINT "Attribution_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attribution" ADD CONSTRAINT "Attribution_supersededById_fkey" FOREIGN KEY ("supersededById") REFERENCES "Attribution"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolUsage" ADD CONSTRAINT "ToolUsage_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolUsage" ADD CONSTRAINT "ToolUsage_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ToolUsage" ADD CONSTRAINT "ToolUsage_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Targeting" ADD CONSTRAINT "Targeting_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Targeting" ADD CONSTRAINT "Targeting_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Targeting" ADD CONSTRAINT "Targeting_victimId_fkey" FOREIGN KEY ("victimId") REFERENCES "Victim"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_nameId_fkey" FOREIGN KEY ("nameId") REFERENCES "Name"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_attributionId_fkey" FOREIGN KEY ("attributionId") REFERENCES "Attribution"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_toolUsageId_fkey" FOREIGN KEY ("toolUsageId") REFERENCES "ToolUsage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_targetingId_fkey" FOREIGN KEY ("targetingId") REFERENCES "Targeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_toolId_fkey" FOREIGN KEY ("toolId") REFERENCES "Tool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Citation" ADD CONSTRAINT "Citation_victimId_fkey" FOREIGN KEY ("victimId") REFERENCES "Victim"("id") ON DELETE CASCADE ON UPDATE CASCADE;
