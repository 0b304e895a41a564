import { formatDefinitionError, type DefinitionError } from "./parse-definition.js";

// Where a definition error is, as seen from the repository where the automation was triggered.
// A definition can come from the organisation's `.github` repository; its errors must then name
// that repository, or the reader looks for the file in their own.

/** GitHub compares owner/repo names without regard to case. */
export function isSameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `file:line:col: message`, or `owner/repo:file:line:col: message` for another repository's file. */
export function formatDefinitionErrorFrom(
  error: DefinitionError,
  where: { definitionRepository: string; readerRepository: string },
): string {
  const text = formatDefinitionError(error);
  return isSameRepository(where.definitionRepository, where.readerRepository) ? text : `${where.definitionRepository}:${text}`;
}
