// Publishers from the reviewed table seeds/reviewed/publishers.yaml (hosts → organisations): a source
// with a URL and no publisher, from any way in, gets the organisation that runs its host. Before the
// table, 4,665 of 5,716 sources on the default seeds had no publisher; "Which reports did ClearSky
// publish?" found 2 of the 31 clearskysec.com documents.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { projectRoot } from '../database/migrations.js';
import type { SeedDocument } from '../ingest/seed-format.js';
import { hostOf } from './source-urls.js';

const table = z.strictObject({
  organizations: z.array(z.strictObject({ key: z.string(), name: z.string(), url: z.string().url().optional() })),
  hosts: z.record(z.string(), z.string()),
});

export const publishersFile = path.join(projectRoot, 'seeds/reviewed/publishers.yaml');

type Publisher = z.infer<typeof table>['organizations'][number];

let loaded: { hosts: Map<string, Publisher> } | undefined;

/** The table, read once; a row naming an organisation the table does not list is an error in the table. */
export function publisherTable() {
  if (loaded) return loaded;
  const { organizations, hosts } = table.parse(parse(readFileSync(publishersFile, 'utf8')));
  const byKey = new Map(organizations.map((o) => [o.key, o]));
  const resolved = new Map<string, Publisher>();
  for (const [host, key] of Object.entries(hosts)) {
    const organization = byKey.get(key);
    if (!organization)
      throw new Error(`${publishersFile}: host ${host} names ${key}, which organizations does not list`);
    resolved.set(host, organization);
  }
  loaded = { hosts: resolved };
  return loaded;
}

/** The organisation that publishes a URL: its host's row, else its nearest parent domain's; null if none. */
export function publisherOfUrl(url: string): Publisher | null {
  const { hosts } = publisherTable();
  const labels = hostOf(url)?.split('.') ?? [];
  for (let i = 0; i < labels.length - 1; i++) {
    const found = hosts.get(labels.slice(i).join('.'));
    if (found) return found;
  }
  return null;
}

/**
 * The document with a publisher on each source that has a URL and none, and the organisations those
 * name added (matched by key, else by name, as every organisation an import brings).
 */
export function withPublishers(doc: SeedDocument): SeedDocument {
  const organizations = [...doc.organizations];
  const known = new Set(organizations.map((o) => o.key));
  const sources = doc.sources.map((s) => {
    if (s.publisher || !s.url) return s;
    const publisher = publisherOfUrl(s.url);
    if (!publisher) return s;
    if (!known.has(publisher.key)) {
      known.add(publisher.key);
      organizations.unshift({ key: publisher.key, name: publisher.name, url: publisher.url, tlp: 'CLEAR' });
    }
    return { ...s, publisher: publisher.key };
  });
  return { ...doc, organizations, sources };
}
