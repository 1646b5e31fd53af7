// Reads a file of any supported format and turns it into the write path's documents: a curated seed
// file (YAML), a STIX 2.1 bundle (JSON). The format is detected from the content.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { slug } from '../write/rules.js';
import { galaxyToDocument, parseGalaxy } from './misp.js';
import { parseSeedDocument, type SeedDocument, SeedFormatError } from './seed-format.js';
import { parseStixBundle, type StixOptions, stixToDocument } from './stix.js';

export type ImportFormat = 'seed' | 'stix' | 'misp';

/** Known datasets, so that their records name themselves (and their source) consistently. */
const knownDatasets: { match: RegExp; options: StixOptions }[] = [
  {
    match: /enterprise-attack-18\.1-techniques/,
    options: {
      dataset: 'mitre-attack',
      sourceKey: 'dataset-mitre-attack-techniques',
      title: 'MITRE ATT&CK® v18.1 Enterprise (techniques, tactics and who uses them; STIX 2.1)',
      url: 'https://github.com/mitre/cti/tree/421deacb77191b38bdd1bf63268954e93da91365/enterprise-attack',
      publishedOn: '2025-11-13',
    },
  },
  {
    match: /enterprise-attack-18\.1/,
    options: {
      dataset: 'mitre-attack',
      title: 'MITRE ATT&CK® v18.1 Enterprise (groups, campaigns, software; STIX 2.1)',
      url: 'https://github.com/mitre/cti/tree/421deacb77191b38bdd1bf63268954e93da91365/enterprise-attack',
      publishedOn: '2025-11-13',
    },
  },
];

/**
 * Who made a STIX object says which dataset it belongs to, whatever the file is called: a reviewed
 * table of `created_by_ref` identities. MITRE's identity is the one every object of ATT&CK's STIX data
 * names (identity "The MITRE Corporation" in mitre/cti and mitre-attack/attack-stix-data; 2,310 of
 * the 2,314 objects of the shipped v18.1 file, the other 4 being the identity and marking-definition).
 */
const datasetOfCreator: Record<string, { dataset: string; name: string }> = {
  'identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5': { dataset: 'mitre-attack', name: 'MITRE ATT&CK®' },
};

/** The dataset most of a bundle's objects name by their creator, if the table above knows it. */
function datasetOfBundle(raw: Record<string, unknown>[]) {
  const votes = new Map<string, number>();
  for (const o of raw) {
    const known = datasetOfCreator[String(o.created_by_ref)];
    if (known) votes.set(known.dataset, (votes.get(known.dataset) ?? 0) + 1);
  }
  const [best] = [...votes].sort((a, b) => b[1] - a[1]);
  return best && best[1] * 2 > raw.length
    ? Object.values(datasetOfCreator).find((d) => d.dataset === best[0])
    : undefined;
}

export function detectFormat(file: string, text: string): ImportFormat {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const head = trimmed.slice(0, 2000);
    if (/"type"\s*:\s*"bundle"/.test(head) || /"objects"\s*:/.test(head)) return 'stix';
    if (/"values"\s*:/.test(text) && /"uuid"\s*:/.test(head)) return 'misp';
    throw new SeedFormatError(
      `${file}: a JSON file, but neither a STIX 2.1 bundle ("type": "bundle") nor a MISP galaxy cluster file ("values")`,
    );
  }
  return 'seed';
}

export async function readImportFile(file: string, options: Partial<StixOptions> = {}): Promise<ParsedImport> {
  const origin = path.relative(process.cwd(), file) || file;
  const text = await readFile(file, 'utf8');
  // name-attribution in a MISP galaxy points into producer.json, which MISP ships beside the clusters.
  const producerFile = path.join(path.dirname(file), 'producer.json');
  const producers = existsSync(producerFile) ? JSON.parse(await readFile(producerFile, 'utf8')) : undefined;
  return parseImportText(origin, text, { ...options, producers });
}

export type ParsedImport = { format: ImportFormat; doc: SeedDocument; skipped: Record<string, number> };

/** A document of any supported format, from its text (`origin` names it in messages and picks known datasets). */
export function parseImportText(
  origin: string,
  text: string,
  options: Partial<StixOptions> & { producers?: unknown } = {},
): ParsedImport {
  const { producers, ...stixOverrides } = options;
  const format = detectFormat(origin, text);
  if (format === 'seed') {
    let data: unknown;
    try {
      data = parseYaml(text);
    } catch (error) {
      throw new SeedFormatError(`${origin} could not be read as YAML: ${(error as Error).message}`);
    }
    const doc = parseSeedDocument(data, origin);
    // Each entry as written, kept as the curated dataset's record of its actor, campaign or tool.
    const entries = data as Record<'actors' | 'campaigns' | 'tools', Record<string, unknown>[] | undefined>;
    for (const [section, owner] of [
      ['actors', 'actor'],
      ['campaigns', 'campaign'],
      ['tools', 'tool'],
    ] as const)
      for (const [i, entry] of (entries[section] ?? []).entries()) {
        const key = doc[section][i].key;
        doc.records.push({
          identifier: key,
          format: 'seed',
          type: owner,
          tlp: doc[section][i].tlp,
          original: entry,
          [owner]: key,
        });
      }
    return { format, doc, skipped: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedFormatError(`${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (format === 'misp') {
    const galaxy = parseGalaxy(json, origin);
    const doc = galaxyToDocument(galaxy, {
      dataset: 'misp-galaxy',
      title: `MISP galaxy: ${galaxy.name}${galaxy.version ? ` (version ${galaxy.version})` : ''}`,
      url: `https://github.com/MISP/misp-galaxy/blob/main/clusters/${galaxy.type}.json`,
      producers,
      ...stixOverrides,
    });
    return { format, doc: parseSeedDocument(doc, origin), skipped: {} };
  }
  const { objects, raw, skipped } = parseStixBundle(json, origin);
  const file = path.basename(origin);
  // A shipped release keeps its own title; any other file takes its dataset from its objects' creator
  // (so that a newer ATT&CK object updates ATT&CK's record whatever the file is called).
  const known = knownDatasets.find((d) => d.match.test(file))?.options;
  const detected = datasetOfBundle(raw);
  const stixOptions: StixOptions = {
    dataset: 'stix',
    title: `STIX bundle ${file}`,
    ...(known ??
      (detected && {
        dataset: detected.dataset,
        title: `${detected.name} objects from ${file}`,
        sourceKey: `dataset-${detected.dataset}-${slug(file)}`,
      })),
    ...stixOverrides,
  };
  return { format, doc: parseSeedDocument(stixToDocument(objects, stixOptions, raw), origin), skipped };
}
