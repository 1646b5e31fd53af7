// Unions of record types. Members are given lazily (thunks) because the member types' modules
// refer back to these unions in their fields.
import { builder } from '../builder.js';
import { Actor } from './actor.js';
import { Association } from './association.js';
import { Attribution } from './attribution.js';
import { Campaign } from './campaign.js';
import { Name } from './name.js';
import { Targeting } from './targeting.js';
import { TechniqueUse } from './technique.js';
import { Tool } from './tool.js';
import { ToolUsage } from './tool-usage.js';
import { tagOf } from './typed.js';
import { Victim } from './victim.js';

export const NamedEntity = builder.unionType('NamedEntity', {
  description: 'An entity that has names: an actor, a campaign or a tool.',
  types: () => [Actor, Campaign, Tool],
  resolveType: (row) => tagOf(row),
});

export const AttributionSubject = builder.unionType('AttributionSubject', {
  description: 'What an attribution attributes: a campaign, an actor (as a subgroup) or a tool.',
  types: () => [Campaign, Actor, Tool],
  resolveType: (row) => tagOf(row),
});

export const ActorOrCampaign = builder.unionType('ActorOrCampaign', {
  types: () => [Actor, Campaign],
  resolveType: (row) => tagOf(row),
});

export const TechniqueUser = builder.unionType('TechniqueUser', {
  description: 'What uses a technique: an actor, a campaign or a tool.',
  types: () => [Actor, Campaign, Tool],
  resolveType: (row) => tagOf(row),
});

export const CitedRecord = builder.unionType('CitedRecord', {
  description: 'What a citation supports.',
  types: () => [Name, Attribution, ToolUsage, Targeting, Association, TechniqueUse, Actor, Campaign, Tool, Victim],
  resolveType: (row) => tagOf(row),
});
