// Who is asking, and what they may see. Every read path filters by `clearance`; every write path
// checks `role` (see scopes in builder.ts).
import type { Role, Tlp } from '../generated/prisma/client.js';

export type Principal = {
  /** The API key's id; null for an anonymous caller. */
  keyId: string | null;
  /** The key's name ("anonymous" without one): what the audit log records. */
  name: string;
  /** null for an anonymous caller, who may only read. */
  role: Role | null;
  /** The highest TLP marking the caller may read. */
  clearance: Tlp;
};

export const anonymous: Principal = { keyId: null, name: 'anonymous', role: null, clearance: 'CLEAR' };

/** TLP 2.0 markings from least to most restricted (PostgreSQL compares the enum in this order too). */
export const tlpLevels = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'] as const satisfies readonly Tlp[];
export const roles = ['READER', 'ANALYST', 'ADMIN'] as const satisfies readonly Role[];

/** The markings a caller with this clearance may read. */
export const visibleLevels = (clearance: Tlp): Tlp[] => tlpLevels.slice(0, tlpLevels.indexOf(clearance) + 1);

/** The most restricted of some markings (CLEAR for none): what something holding all of them is marked. */
export const mostRestricted = (marks: readonly Tlp[]): Tlp =>
  tlpLevels[Math.max(0, ...marks.map((m) => tlpLevels.indexOf(m)))];
/** The least restricted of some markings (RED for none): who sees any one of them. */
export const leastRestricted = (marks: readonly Tlp[]): Tlp =>
  tlpLevels[Math.min(tlpLevels.length - 1, ...marks.map((m) => tlpLevels.indexOf(m)))];

/** Whether a caller with this clearance may see what is marked `marking`. */
export const canSee = (clearance: Tlp, marking: Tlp) => tlpLevels.indexOf(marking) <= tlpLevels.indexOf(clearance);

/** Whether a role includes another (an admin may do what an analyst may, an analyst what a reader may). */
export const roleIncludes = (role: Role | null, needed: Role) =>
  role !== null && roles.indexOf(role) >= roles.indexOf(needed);
