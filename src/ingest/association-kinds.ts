// How two records may be related without being one (see the Association model), and the words STIX and
// MISP use for each kind. Its own module: the API's readers need it without the import machinery.
/** Symmetric kinds hold both ways: "A overlaps B" is "B overlaps A", stored once. */
export const symmetricAssociationKinds = ['SIMILAR', 'OVERLAPS', 'LINKED_TO', 'RELATED_TO', 'ASSOCIATED_WITH'] as const;
export const associationKinds = [...symmetricAssociationKinds, 'VARIANT_OF'] as const;
export type AssociationKind = (typeof associationKinds)[number];
/** The words STIX relationship types and MISP `related` types use for each kind ("linked-to"). */
export const associationTypeOf = (kind: AssociationKind) => kind.toLowerCase().replace(/_/g, '-');
export const associationKindOf: Partial<Record<string, AssociationKind>> = Object.fromEntries(
  associationKinds.map((k) => [associationTypeOf(k), k]),
);
