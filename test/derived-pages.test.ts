// Derived tools and victims are paged two ways (src/schema/derived-loaders.ts): by ranking all of an
// actor's targets, or by walking the targets in name order to the page's end (chosen for actors behind
// thousands of targets). Both must give the same pages: every actor of the seeds, both views, pages
// from the front, after a cursor, from the back, for a cleared and an uncleared caller.
import { offsetToCursor } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tlp } from '../src/generated/prisma/client.js';
import { pageKey } from '../src/schema/array-connection.js';
import { createLoaders, type PageStrategy } from '../src/schema/derived-loaders.js';
import { databaseLabel } from './helpers/database.js';
import { type InProcess, inProcess } from './helpers/in-process.js';

// Resolvers in process (no HTTP): see helpers/in-process.ts.
let server: InProcess;
beforeAll(async () => {
  server = await inProcess();
  // Besides the seeds' claims: CryptoCore attributed to APT38 by a claim that is not CURRENT, and by a
  // CURRENT one marked TLP:AMBER: CryptoCore's victims and tools are APT38's for a cleared caller only.
  const key = await server.key('ANALYST', 'RED');
  const id = async (query: string) =>
    Object.values((await server.query(query)) as Record<string, { id: string }>)[0].id;
  const apt38 = (await server.query('{ actors(first: 100) { nodes { id key } } }')).actors.nodes.find(
    (a: { key: string }) => a.key === 'apt38',
  ).id;
  const cryptocore = await id('{ campaign(name: "CryptoCore") { id } }');
  const source = (await server.query('{ sources(first: 1) { nodes { id } } }')).sources.nodes[0].id;
  const record = 'mutation($i: RecordAttributionInput!) { recordAttribution(input: $i) { id version } }';
  const disputed = (
    await server.query(record, { i: { subject: cryptocore, actor: apt38, sources: [{ source }] } }, key)
  ).recordAttribution;
  await server.query(
    'mutation($i: UpdateAttributionInput!) { updateAttribution(input: $i) { id } }',
    { i: { id: disputed.id, expectedVersion: disputed.version, status: 'DISPUTED' } },
    key,
  );
  await server.query(record, { i: { subject: cryptocore, actor: apt38, tlp: 'AMBER', sources: [{ source }] } }, key);
  // And APT38's own claims marked TLP:AMBER: a victim and a tool only a cleared caller sees.
  const victim = (await server.query('{ victims(first: 100) { nodes { id key } } }')).victims.nodes.find(
    (v: { key: string }) => v.key === 'region-europe',
  ).id;
  const tool = await id('{ tool(name: "Mimikatz") { id } }');
  await server.query(
    'mutation($i: RecordTargetingInput!) { recordTargeting(input: $i) { id } }',
    { i: { by: apt38, victim, tlp: 'AMBER', sources: [{ source }] } },
    key,
  );
  await server.query(
    'mutation($i: RecordToolUsageInput!) { recordToolUsage(input: $i) { id } }',
    { i: { by: apt38, tool, tlp: 'AMBER', sources: [{ source }] } },
    key,
  );
}, 120_000);
afterAll(() => server?.stop());

const pages = [
  { first: 1 },
  { first: 2 },
  { first: 100 },
  { first: 2, after: offsetToCursor(0) },
  { first: 3, after: offsetToCursor(2) },
  { last: 2 },
  { last: 1, before: offsetToCursor(2) },
];

async function derived(
  strategy: PageStrategy,
  clearance: Tlp,
  view: 'tools' | 'victims',
  actorIds: string[],
  args: object,
) {
  const loaders = createLoaders(server.prisma, { default: 10, max: 100 }, clearance, strategy);
  const results = await loaders.derivedPage(pageKey(view, args)).loadMany(actorIds);
  return results.map((r) => {
    if (r instanceof Error) throw r;
    return {
      offset: r.offset,
      totalCount: r.totalCount,
      items: (
        r.items as { target: { id: string }; direct: boolean; via: { id: string }[]; claims: { id: string }[] }[]
      ).map((i) => ({
        target: i.target.id,
        direct: i.direct,
        via: i.via.map((c) => c.id),
        claims: i.claims.map((c) => c.id),
      })),
    };
  });
}

describe(`derived pages (${databaseLabel})`, () => {
  it.each(['tools', 'victims'] as const)(
    '%s: walking the targets in name order gives the pages ranking gives',
    async (view) => {
      const actorIds = (await server.prisma.actor.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
        (a) => a.id,
      );
      let nonEmpty = 0;
      for (const clearance of ['CLEAR', 'RED'] as const) {
        for (const args of pages) {
          const ranked = await derived('rank', clearance, view, actorIds, args);
          const walked = await derived('walk', clearance, view, actorIds, args);
          expect(walked, `${view} ${clearance} ${JSON.stringify(args)}`).toEqual(ranked);
          // A page holding everything: its total counts each target once, own and derived alike.
          if ('first' in args && args.first === 100)
            for (const page of ranked) expect(page.totalCount).toBe(page.items.length);
          nonEmpty += ranked.filter((p) => p.items.length > 0).length;
        }
      }
      expect(nonEmpty).toBeGreaterThan(10);
    },
  );
});
