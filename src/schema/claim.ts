// What every relationship claim (attribution, tool usage, targeting) has in common.
import { builder } from '../builder.js';
import { ClaimStatusEnum, TlpEnum } from './enums.js';

type ClaimShape = {
  confidence: number | null;
  confidenceLabel: string | null;
  firstObserved: Date | null;
  lastObserved: Date | null;
  status: 'CURRENT' | 'SUPERSEDED' | 'DISPUTED' | 'RETRACTED';
  note: string | null;
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER_STRICT' | 'RED';
};

export const Claim = builder.interfaceRef<ClaimShape>('Claim').implement({
  description: 'A sourced assertion about a relationship. Conflicting claims stand side by side; none is merged away.',
  fields: (t) => ({
    confidence: t.exposeInt('confidence', {
      nullable: true,
      description: '0-100. Derived from the label with the STIX 2.1 None/Low/Med/High scale (Low 15, Med 50, High 85) when the source gives only words.',
    }),
    confidenceLabel: t.exposeString('confidenceLabel', { nullable: true, description: 'The estimative words the source used, e.g. "medium-high".' }),
    firstObserved: t.expose('firstObserved', { type: 'Date', nullable: true }),
    lastObserved: t.expose('lastObserved', { type: 'Date', nullable: true }),
    status: t.expose('status', { type: ClaimStatusEnum }),
    note: t.exposeString('note', { nullable: true }),
    tlp: t.expose('tlp', { type: TlpEnum, description: 'The marking of the claim itself. A caller sees a claim when cleared for it and for at least one of its sources (or it cites none).' }),
  }),
});
