// Rows of several models meet in unions (a claim's subject, a search hit). Each row is tagged with
// its GraphQL type when it is put in a union, and the unions read the tag.
const typeTag = Symbol('graphqlType');

export type EntityType = 'Actor' | 'Campaign' | 'Tool';

export function tagged<T extends object | null>(type: string, row: T): T {
  if (row) Object.defineProperty(row, typeTag, { value: type, enumerable: false });
  return row;
}

export function tagOf(row: object): string {
  const type = (row as Record<symbol, string>)[typeTag];
  if (!type) throw new Error('A union member was not tagged with its GraphQL type');
  return type;
}
