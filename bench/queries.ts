// The benchmark's queries, written for each contender's schema so that both return the same data
// (the runner checks that before timing anything). `null` where a contender has no equivalent.
export type QueryId = 'Q0' | 'Q1' | 'Q2' | 'Q3' | 'Q4' | 'Q4v' | 'Q5' | 'Q6' | 'Q7' | 'Q8';
export type Contender = 'api' | 'postgraphile';
export type Request = { method: 'POST'; path: '/graphql'; body: string } | { method: 'GET'; path: string };
type Vars = {
  hotActorId: string;
  hotActorGlobalId: string;
  sampleActorGlobalId: string;
  otherActorGlobalId: string;
  fuzzyName: string;
};

const post = (query: string): Request => ({ method: 'POST', path: '/graphql', body: JSON.stringify({ query }) });

export const descriptions: Record<QueryId, string> = {
  Q0: '{ __typename }',
  Q1: 'a flat page of 10 actors',
  Q2: 'actors → names, campaigns → tools, victims (3 levels, connections, totalCount)',
  Q3: 'fuzzy name search',
  Q4: "the hot actor's first page of victims (50k behind it)",
  Q4v: "the hot actor's first page of derived victims (own claims and its campaigns'; API only)",
  Q5: "STIX export of one actor's neighbourhood",
  Q6: "the hot actor's first page of derived techniques (own, its campaigns' and its tools'; API only)",
  Q7: "the hot actor's victimology by country and year (50k targeting claims; API only)",
  Q8: 'explained paths between two ordinary actors, up to 3 hops, first 10 with their steps (API only)',
};

/** Q2 for each contender: `top` actors, `inner` items per nested connection (the statement-count test varies them). */
export const q2 = {
  api: (top: number, inner: number) => `{ actors(first: ${top}) { totalCount nodes { name
        names(first: ${inner}) { totalCount nodes { value } }
        attributedActivity(first: ${inner}) { totalCount nodes { campaign { name toolUsages(first: ${inner}) { totalCount nodes { tool { name } } } } } }
        targetings(first: ${inner}) { totalCount nodes { victim { name } } } } } }`,
  postgraphile: (
    top: number,
    inner: number,
  ) => `{ allActors(first: ${top}, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { totalCount nodes { name
        namesByActorId(first: ${inner}, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { value } }
        attributionsByActorId(first: ${inner}, orderBy: [ASSESSED_ON_ASC, PRIMARY_KEY_ASC]) { totalCount nodes { campaignByCampaignId { name toolUsagesByCampaignId(first: ${inner}, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { toolByToolId { name } } } } } }
        targetingsByActorId(first: ${inner}, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { victimByVictimId { name } } } } } }`,
};

export function requests(v: Vars): Record<QueryId, Record<Contender, Request | null>> {
  return {
    Q0: { api: post('{ __typename }'), postgraphile: post('{ __typename }') },
    Q1: {
      api: post('{ actors(first: 10) { nodes { key name originCountry firstSeen } } }'),
      postgraphile: post(
        '{ allActors(first: 10, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { key name originCountry firstSeen } } }',
      ),
    },
    Q2: { api: post(q2.api(10, 5)), postgraphile: post(q2.postgraphile(10, 5)) },
    // PostGraphile has no fuzzy search of its own: a contender would need a hand-written SQL function.
    Q3: {
      api: post(
        `{ search(query: ${JSON.stringify(v.fuzzyName)}, first: 10) { edges { score matchedName node { __typename ... on Actor { name } } } } }`,
      ),
      postgraphile: null,
    },
    Q4: {
      api: post(
        `{ node(id: "${v.hotActorGlobalId}") { ... on Actor { name targetings(first: 10) { totalCount nodes { victim { name } } } } } }`,
      ),
      postgraphile: post(
        `{ actorByRowId(rowId: "${v.hotActorId}") { name targetingsByActorId(first: 10, orderBy: [PRIMARY_KEY_ASC]) { totalCount nodes { victimByVictimId { name } } } } }`,
      ),
    },
    // The API's derived view (distinct victims of the actor and of the campaigns attributed to it, by
    // name): PostGraphile has no equivalent without hand-written SQL.
    Q4v: {
      api: post(
        `{ node(id: "${v.hotActorGlobalId}") { ... on Actor { victims(first: 10) { totalCount edges { direct node { name } } } } } }`,
      ),
      postgraphile: null,
    },
    Q5: {
      api: { method: 'GET', path: `/stix/${encodeURIComponent(v.sampleActorGlobalId)}?depth=1` },
      postgraphile: null,
    },
    Q6: {
      api: post(
        `{ node(id: "${v.hotActorGlobalId}") { ... on Actor { techniques(first: 10) { totalCount edges { direct viaTools { name } node { attackId name } } } } } }`,
      ),
      postgraphile: null,
    },
    Q7: {
      api: post(
        `{ victimology(of: "${v.hotActorGlobalId}", groupBy: [COUNTRY, YEAR]) { victimCount claimCount buckets { country year victimCount claimCount } } }`,
      ),
      postgraphile: null,
    },
    // An analyst's question about two actors (from the hot actor, 50k victims, see the README's figures).
    Q8: {
      api: post(
        `{ paths(from: "${v.sampleActorGlobalId}", to: "${v.otherActorGlobalId}", maxHops: 3, first: 10) { totalCount nodes { hops cost weakestConfidence steps { kind claimId from { __typename } to { __typename } } } } }`,
      ),
      postgraphile: null,
    },
  };
}

/**
 * One contender's answer in a common shape, for the equality check: PostGraphile's field names mapped
 * to the API's, and lists whose page holds every item (totalCount ≤ page) sorted, since the two order
 * names differently (PostGraphile orders only by indexed columns).
 */
export function normalise(value: unknown): unknown {
  const rename: Record<string, string> = {
    allActors: 'actors',
    namesByActorId: 'names',
    attributionsByActorId: 'attributedActivity',
    campaignByCampaignId: 'campaign',
    toolUsagesByCampaignId: 'toolUsages',
    toolByToolId: 'tool',
    targetingsByActorId: 'targetings',
    victimByVictimId: 'victim',
    actorByRowId: 'node',
  };
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [rename[k] ?? k, normalise(v)] as const);
    const obj = Object.fromEntries(entries) as Record<string, unknown>;
    if (Array.isArray(obj.nodes) && typeof obj.totalCount === 'number' && obj.totalCount <= obj.nodes.length) {
      obj.nodes = [...obj.nodes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return obj;
  }
  return value;
}
