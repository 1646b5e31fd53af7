// A source written by a mutation gets what an imported one gets (src/write/graph-writer.ts does the same
// for documents): its canonical URL, the publisher the reviewed hosts table names (the organisation is
// made if none holds its key or name), the date its URL's path states; and a document is stored once: a
// new source whose URL names one the writer can see is refused with that one's id.
import { visibleSource } from '../auth/visibility.js';
import { userError } from '../errors.js';
import { encodeId } from '../global-id.js';
import { publisherOfUrl } from './publishers.js';
import { newId } from './rules.js';
import { canonicalUrl, dateInUrl } from './source-urls.js';
import type { Edit } from './transaction.js';

/** The columns a source's URL gives: its canonical form, and the publisher and date where none is given. */
export async function sourceColumnsFromUrl(e: Edit, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!('url' in data)) return data;
  const url = data.url as string | null;
  if (!url) return { ...data, canonicalUrl: null };
  const out: Record<string, unknown> = { ...data, canonicalUrl: canonicalUrl(url) };
  if (!data.publisherId) {
    const publisher = publisherOfUrl(url);
    if (publisher) out.publisherId = await organizationFor(e, publisher);
  }
  const dated = !data.publishedOn && dateInUrl(url);
  if (dated)
    Object.assign(out, {
      publishedOn: new Date(`${dated.publishedOn}T00:00:00Z`),
      publishedPrecision: dated.precision,
    });
  return out;
}

/** The organisation with the table's key or name (made, and audited, when there is none). */
async function organizationFor(e: Edit, publisher: { key: string; name: string; url?: string }) {
  const found = await e.tx.organization.findFirst({
    where: { OR: [{ key: publisher.key }, { name: { equals: publisher.name, mode: 'insensitive' } }] },
    select: { id: true },
  });
  if (found) return found.id;
  const created = await e.tx.organization.create({
    data: { id: newId(), key: publisher.key, name: publisher.name, url: publisher.url ?? null },
  });
  e.audit('Organization', created.id, null, created);
  return created.id;
}

/** Refuses a new source for a document the writer can see stored already (under any form of its URL). */
export async function refuseStoredTwice(e: Edit, url: string | null | undefined, exceptId?: string) {
  if (!url) return;
  const stored = await e.tx.source.findFirst({
    where: {
      canonicalUrl: canonicalUrl(url),
      ...(exceptId ? { id: { not: exceptId } } : {}),
      ...visibleSource(e.principal.clearance),
    },
    select: { id: true, title: true },
  });
  if (stored)
    throw userError(
      'ALREADY_EXISTS',
      `The source "${stored.title}" has this URL already (in some form): cite it (${encodeId('Source', stored.id)}), or update it.`,
      { id: encodeId('Source', stored.id), argument: 'input.url' },
    );
}
