// What every relationship claim (attribution, tool usage, targeting) has in common.
import { builder } from '../builder.js';
import { ClaimStatusEnum, TlpEnum } from './enums.js';

/**
 * The claim fields, for the interface and again on each claim type: declared on a Prisma object, an
 * exposed field selects its column only when a query asks for it (select mode), where the interface's
 * copy would make every claim read all of them.
 */
// One list for the interface and five Prisma objects in select mode: Pothos has no field-builder type
// common to both (an interface's shape and a selection's differ), so this one helper is untyped.
// biome-ignore lint/suspicious/noExplicitAny: see above; every caller is a Pothos field builder.
export const claimFields = (t: any) => ({
  confidence: t.exposeInt('confidence', {
    nullable: true,
    description:
      '0-100. Derived from the label with the STIX 2.1 None/Low/Med/High scale (Low 15, Med 50, High 85) when the source gives only words.',
  }),
  confidenceLabel: t.exposeString('confidenceLabel', {
    nullable: true,
    description: 'The estimative words the source used, e.g. "medium-high".',
  }),
  firstObserved: t.expose('firstObserved', { type: 'Date', nullable: true }),
  lastObserved: t.expose('lastObserved', { type: 'Date', nullable: true }),
  status: t.expose('status', { type: ClaimStatusEnum }),
  recordedAt: t.expose('createdAt', {
    type: 'DateTime',
    description:
      'When it was recorded: for an imported claim, the dataset’s own timestamp (STIX `created`); else when it was written here.',
  }),
  note: t.exposeString('note', { nullable: true }),
  tlp: t.expose('tlp', {
    type: TlpEnum,
    description:
      'The marking of the claim itself. A caller sees a claim when cleared for it and for at least one of its sources (or it cites none).',
  }),
});

// Shapeless: each claim type declares (and selects) the fields itself.
export const Claim = builder.interfaceRef<object>('Claim').implement({
  description: 'A sourced assertion about a relationship. Conflicting claims stand side by side; none is merged away.',
  fields: claimFields,
});
