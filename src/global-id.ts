// Global IDs: base64("Type:uuid"), what every `id` field answers and every ID argument takes. The one
// decoder for them: node(id:), lookups, filters, mutation inputs, the write layer and /stix/<id>.json.
import { invalidId, userError } from './errors.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The global ID of a row: the same encoding as Pothos' encodeGlobalID. */
export const encodeId = (typename: string, id: string | number | bigint) =>
  Buffer.from(`${typename}:${id}`).toString('base64');

/** The type and database id behind a global ID; anything else is refused with INVALID_ID before any query. */
export function decodeId(globalId: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  const typename = decoded.slice(0, sep);
  const id = decoded.slice(sep + 1);
  if (sep < 1 || !/^[A-Za-z]+$/.test(typename) || !uuid.test(id) || encodeId(typename, id) !== globalId) {
    throw invalidId(globalId);
  }
  return { typename, id };
}

/** The database id behind a global ID of one of `types`, or INVALID_ID naming the argument or input field. */
export function idOf(globalId: string | number, types: readonly string[], field: string): { type: string; id: string } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeId(String(globalId));
  } catch {
    throw invalidId(String(globalId), types.join(' or ').toLowerCase());
  }
  if (!types.includes(decoded.typename))
    throw userError(
      'INVALID_ID',
      `"${field}" must be the ID of a ${types.join(' or ').toLowerCase()}, not of a ${decoded.typename.toLowerCase()}.`,
      { field },
    );
  return { type: decoded.typename, id: decoded.id };
}
