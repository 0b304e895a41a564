import { formatDefinitionError, type DefinitionError } from "./parse-definition.js";

// Where a definition error is, as seen from the repository where the automation was triggered.
// A definition can come from the organisation's `.github` repository; its errors must then name
// that repository, or the reader looks for the file in their own.

/** GitHub compares owner/repo names without regard to case. */
export function isSameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export interface DefinitionLocation {
  /** `owner/repo` the definition was read from. */
  definitionRepository: string;
  /** `owner/repo` where the error is shown (the comment's, the check's). */
  readerRepository: string;
}

/** `file:line:col: message`, or `owner/repo:file:line:col: message` for another repository's file. */
export function formatDefinitionErrorFrom(error: DefinitionError, where: DefinitionLocation): string {
  const text = formatDefinitionError(error);
  return isSameRepository(where.definitionRepository, where.readerRepository) ? text : `${where.definitionRepository}:${text}`;
}
