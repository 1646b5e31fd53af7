// The operation a GraphQL request runs, read from its document before yoga executes it: by the
// response cache (which root fields an answer depends on) and the replica routing (query or mutation).
// Parsed once per document and operation name (a client sends the same few documents again and again).
import { getOperationAST, type OperationDefinitionNode, parse } from 'graphql';

const operations = new Map<string, OperationDefinitionNode | null>();

/** The operation `operationName` names (or the only one); null when the document does not parse or names none. */
export function operationOf(document: string | undefined, operationName?: string | null) {
  if (!document) return null;
  const memo = `${operationName ?? ''}\0${document}`;
  const known = operations.get(memo);
  if (known !== undefined) return known;
  let operation: OperationDefinitionNode | null = null;
  try {
    operation = getOperationAST(parse(document), operationName) ?? null;
  } catch {
    operation = null;
  }
  if (operations.size > 1000) operations.clear();
  operations.set(memo, operation);
  return operation;
}
