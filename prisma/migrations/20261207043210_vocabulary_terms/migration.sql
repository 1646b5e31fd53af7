-- AlterTable
ALTER TABLE "Victim" ADD COLUMN     "region" TEXT;

-- CreateIndex
CREATE INDEX "Victim_region_idx" ON "Victim"("region");

-- Data: the vocabulary columns as terms, by the table seeds/reviewed/vocabularies.yaml as it read when this
-- migration was written (src/write/vocabularies.ts applies the table on every later write). Folding here
-- is ASCII-only, as the stored values were.
CREATE TEMPORARY TABLE vocabulary_words (kind text, word text, term text);
INSERT INTO vocabulary_words VALUES
  ('region', 'southeast-asia', 'south-eastern-asia'),
  ('region', 'south-east-asia', 'south-eastern-asia'),
  ('region', 'east-asia', 'eastern-asia'),
  ('region', 'south-asia', 'southern-asia'),
  ('region', 'north-america', 'northern-america'),
  ('industry-sector', 'academia-university', 'education'),
  ('industry-sector', 'universities', 'education'),
  ('industry-sector', 'bank', 'financial-services'),
  ('industry-sector', 'finance', 'financial-services'),
  ('industry-sector', 'financial', 'financial-services'),
  ('industry-sector', 'investment', 'financial-services'),
  ('industry-sector', 'payment', 'financial-services'),
  ('industry-sector', 'defense-contractor', 'defense'),
  ('industry-sector', 'defense-industrial-base', 'defense'),
  ('industry-sector', 'electric', 'energy'),
  ('industry-sector', 'energy-company', 'energy'),
  ('industry-sector', 'oil', 'energy'),
  ('industry-sector', 'gas', 'energy'),
  ('industry-sector', 'petroleum', 'energy'),
  ('industry-sector', 'food-and-agriculture', 'agriculture'),
  ('industry-sector', 'government-institutions', 'government'),
  ('industry-sector', 'government-agencies-and-services', 'government'),
  ('industry-sector', 'government-administration', 'government'),
  ('industry-sector', 'diplomacy', 'government-national'),
  ('industry-sector', 'health', 'healthcare'),
  ('industry-sector', 'medical', 'healthcare'),
  ('industry-sector', 'hospitality', 'hospitality-leisure'),
  ('industry-sector', 'high-tech', 'technology'),
  ('industry-sector', 'information-technology', 'technology'),
  ('industry-sector', 'semiconductor-industry', 'technology'),
  ('industry-sector', 'electronics-manufacturers', 'manufacturing'),
  ('industry-sector', 'critical-manufacturing', 'manufacturing'),
  ('industry-sector', 'media-and-entertainment', 'entertainment'),
  ('industry-sector', 'ngos', 'non-profit'),
  ('industry-sector', 'non-profit-organisation', 'non-profit'),
  ('industry-sector', 'telecomms', 'telecommunications'),
  ('industry-sector', 'telecoms', 'telecommunications'),
  ('industry-sector', 'transportation-systems', 'transportation'),
  ('industry-sector', 'rail', 'transportation'),
  ('industry-sector', 'maritime', 'transportation'),
  ('industry-sector', 'logistics', 'transportation'),
  ('industry-sector', 'space', 'aerospace'),
  ('industry-sector', 'gambling-websites', 'gambling'),
  ('industry-sector', 'gambling-companies', 'gambling'),
  ('industry-sector', 'dissident', 'dissidents'),
  ('industry-sector', 'journalist', 'journalists'),
  ('industry-sector', 'religious-organization', 'religious-organizations'),
  ('industry-sector', 'news-media', 'media'),
  ('industry-sector', 'scientific-research', 'research'),
  ('industry-sector', 'research-innovation', 'research'),
  ('malware-type', 'rat', 'remote-access-trojan'),
  ('malware-type', 'remote-access-tool', 'remote-access-trojan'),
  ('malware-type', 'pws', 'spyware'),
  ('malware-type', 'password-stealer', 'spyware'),
  ('malware-type', 'infostealer', 'spyware'),
  ('malware-type', 'stealer', 'spyware'),
  ('malware-type', 'miner', 'resource-exploitation'),
  ('malware-type', 'coinminer', 'resource-exploitation'),
  ('malware-type', 'web-shell', 'webshell'),
  ('tool-type', 'exploitation-framework', 'exploitation'),
  ('tool-type', 'post-exploitation-framework', 'exploitation'),
  ('tool-type', 'credential-dumper', 'credential-exploitation'),
  ('tool-type', 'rat', 'remote-access'),
  ('tool-type', 'remote-access-tool', 'remote-access'),
  ('tool-type', 'scanner', 'vulnerability-scanning'),
  ('tool-type', 'sniffer', 'network-capture'),
  ('tool-type', 'reco', 'information-gathering'),
  ('tool-type', 'reconnaissance', 'information-gathering');

UPDATE "Victim" SET "region" = NULLIF(COALESCE((SELECT m.term FROM vocabulary_words m WHERE m.kind = 'region' AND m.word = trim(both '-' from lower(regexp_replace(name, '[^[:alnum:]]+', '-', 'g')))), trim(both '-' from lower(regexp_replace(name, '[^[:alnum:]]+', '-', 'g')))), '') WHERE kind = 'REGION';
UPDATE "Victim" SET "sector" = NULLIF(COALESCE((SELECT m.term FROM vocabulary_words m WHERE m.kind = 'industry-sector' AND m.word = trim(both '-' from lower(regexp_replace(sector, '[^[:alnum:]]+', '-', 'g')))), trim(both '-' from lower(regexp_replace(sector, '[^[:alnum:]]+', '-', 'g')))), '') WHERE sector IS NOT NULL;
UPDATE "Actor" SET "motivations" = ARRAY(
  SELECT t FROM (
    SELECT t, min(o) AS o FROM (
      SELECT COALESCE((SELECT m.term FROM vocabulary_words m WHERE m.kind = 'attack-motivation' AND m.word = trim(both '-' from lower(regexp_replace(x, '[^[:alnum:]]+', '-', 'g')))), trim(both '-' from lower(regexp_replace(x, '[^[:alnum:]]+', '-', 'g')))) AS t, o
        FROM unnest("motivations") WITH ORDINALITY u(x, o)) s
     WHERE t <> '' GROUP BY t) f ORDER BY o
) WHERE cardinality("motivations") > 0;
UPDATE "Tool" SET "malwareTypes" = ARRAY(
  SELECT t FROM (
    SELECT t, min(o) AS o FROM (
      SELECT COALESCE((SELECT m.term FROM vocabulary_words m WHERE m.kind = CASE WHEN "Tool".kind = 'MALWARE' THEN 'malware-type' ELSE 'tool-type' END AND m.word = trim(both '-' from lower(regexp_replace(x, '[^[:alnum:]]+', '-', 'g')))), trim(both '-' from lower(regexp_replace(x, '[^[:alnum:]]+', '-', 'g')))) AS t, o
        FROM unnest("malwareTypes") WITH ORDINALITY u(x, o)) s
     WHERE t <> '' GROUP BY t) f ORDER BY o
) WHERE cardinality("malwareTypes") > 0;
DROP TABLE vocabulary_words;
