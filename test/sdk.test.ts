// A frontend's view: the generated, typed graphql-request SDK against a running server.
import { ClientError } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseLabel } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe(`typed SDK (${databaseLabel})`, () => {
  it('tells the CryptoCore story', async () => {
    const { campaign } = await server.sdk.CampaignStory({ name: 'Leery Turtle' });
    expect(campaign?.name).toBe('CryptoCore');
    expect(campaign?.attributions.nodes.map((a) => a.actor?.name ?? a.attributedToDescription)).toEqual([
      'A threat actor linked to the East European region (Ukraine, Russia or Romania)',
      'Lazarus Group',
      'Lazarus Group',
    ]);
    expect(campaign?.names.totalCount).toBe(5);
  });

  it('pages actors with cursors', async () => {
    const first = await server.sdk.ActorsPage({ first: 1 });
    expect(first.actors.totalCount).toBe(2);
    const second = await server.sdk.ActorsPage({ first: 1, after: first.actors.pageInfo.endCursor });
    expect(second.actors.edges[0].node.name).not.toBe(first.actors.edges[0].node.name);
    expect(second.actors.pageInfo.hasNextPage).toBe(false);
    const back = await server.sdk.ActorsPage({ last: 1, before: second.actors.pageInfo.startCursor });
    expect(back.actors.edges[0].node.name).toBe(first.actors.edges[0].node.name);
  });

  it('profiles an actor, with derived tools and victims', async () => {
    const { actor } = await server.sdk.ActorProfile({ name: 'Diamond Sleet', first: 50 });
    expect(actor?.name).toBe('Lazarus Group');
    expect(actor?.tools.edges.every((e) => !e.direct && e.via[0].name === 'CryptoCore')).toBe(true);
    expect(actor?.victims.totalCount).toBe(11);
    expect(actor?.origins).toContainEqual(expect.objectContaining({ country: 'KP', dataset: 'curated' }));
    expect(actor?.activity.derived).toBe(true);
    expect(actor?.activity.firstObserved).toBe('2009-01-01');
  });

  it('searches sources and reads a vocabulary', async () => {
    const { sources } = await server.sdk.SourcesPage({ filter: { host: 'clearskysec.com' }, first: 10 });
    expect(sources.totalCount).toBeGreaterThan(0);
    expect(sources.nodes.every((s) => s.url?.includes('clearskysec.com') && s.publisher?.name)).toBe(true);
    const { vocabulary } = await server.sdk.Vocabulary({ kind: 'INDUSTRY_SECTOR' });
    expect(vocabulary.find((t) => t.term === 'financial-services')?.inVocabulary).toBe(true);
  });

  it('resolves a shared name and searches', async () => {
    const { resolveName } = await server.sdk.ResolveName({ name: 'SnatchCrypto' });
    expect(resolveName.map((r) => r.entity.__typename).sort()).toEqual(['Campaign', 'Tool']);
    const { search } = await server.sdk.Search({ query: 'hiden cobra', first: 3 });
    const top = search.edges[0].node;
    expect(top.__typename === 'Actor' && top.name).toBe('Lazarus Group');
    const { node } = await server.sdk.Node({ id: top.id });
    expect(node?.__typename).toBe('Actor');
  });

  it('surfaces error codes to the client', async () => {
    const error = await server.sdk.ActorProfile({ name: 'APT38' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.errors?.[0].extensions?.code).toBe('AMBIGUOUS_NAME');
  });
});
