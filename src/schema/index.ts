// The GraphQL schema: every type registers itself on the builder when its module loads.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import './enums.js';
import './claim.js';
import './citation.js';
import './external-id.js';
import './dataset-record.js';
import './possible-duplicates.js';
import './name.js';
import './actor.js';
import './campaign.js';
import './tool.js';
import './victim.js';
import './source.js';
import './organization.js';
import './attribution.js';
import './tool-usage.js';
import './targeting.js';
import './association.js';
import './technique.js';
import './victimology.js';
import './compare-actors.js';
import './change-event.js';
import './paths.js';
import './search.js';
import './vocabulary.js';
import './unions.js';
import './stix-export.js';
import './audit-entry.js';
import './import.js';
import './merge.js';
import './node.js';
import { markRootFields } from '../builder.js';
import { hideMarkedOrganizations } from './organization.js';

export const schema = builder.toSchema();
markRootFields(schema);
hideMarkedOrganizations(schema);

/** The SDL committed as schema.graphql (sorted, so that it diffs well). */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
