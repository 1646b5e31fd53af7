// Identifiers of an entity in other systems (MITRE ATT&CK, STIX, MISP, Malpedia).
import { builder } from '../builder.js';

builder.prismaObject('ExternalId', {
  description:
    'An identifier of the entity in another system: mitre-attack (G0032), stix (intrusion-set--...), malpedia, misp.',
  fields: (t) => ({
    system: t.exposeString('system'),
    value: t.exposeString('value'),
    url: t.exposeString('url', { nullable: true }),
  }),
});
