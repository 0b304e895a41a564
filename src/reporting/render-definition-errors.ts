import type { DefinitionError } from "../automations/parse-definition.js";
import { formatDefinitionErrorFrom, isSameRepository } from "../automations/definition-location.js";
import { fitHead } from "./fit-text.js";
import { checkRunAnnotationsMaxPerRequest, checkRunSummaryMaxChars, checkRunTitleMaxChars } from "./github-limits.js";
import { codeFenceFor, fencedCodeBlock } from "./markdown.js";

// The failed check run that reports an invalid definition (DESIGN.md §3): the errors in the
// summary, and each one as an annotation on its line. Pure: the caller does the I/O.

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "failure";
  message: string;
}

export interface DefinitionErrorsCheck {
  name: string;
  title: string;
  summary: string;
  annotations: CheckRunAnnotation[];
}

export interface DefinitionErrorsInput {
  automation: string;
  errors: readonly DefinitionError[];
  /** `owner/repo` whose default branch the definition was read from. */
  definitionRepository: string;
  /** `owner/repo` the check run is created on. */
  checkRepository: string;
}

// A cap on one user-influenced message (errors quote the values they reject).
const annotationMessageMaxChars = 1_000;

export function renderDefinitionErrorsCheck(input: DefinitionErrorsInput): DefinitionErrorsCheck {
  const { automation, errors } = input;
  // Annotations point at files of the check's repository; a definition from the organisation's
  // `.github` repository has no file there, so its errors are only listed, each naming where.
  const sameRepository = isSameRepository(input.definitionRepository, input.checkRepository);
  const annotations = sameRepository ? errors.slice(0, checkRunAnnotationsMaxPerRequest).map(annotationOf) : [];
  const files = [...new Set(errors.map((e) => e.path))].map((path) => `\`${path}\``).join(", ");

  const intro = `\`${automation}\` was not started: ${files} on the default branch of \`${input.definitionRepository}\` is not a valid automation definition.`;
  const notes = [
    annotations.length < errors.length && sameRepository
      ? `The first ${annotations.length} of ${errors.length} errors are annotated on the file.`
      : null,
    sameRepository ? null : `The file is in \`${input.definitionRepository}\`, so its errors cannot be annotated on this commit.`,
    `Fix it on the default branch, then comment \`/automation run ${automation}\` again. Definitions are never read from a pull request.`,
  ].filter((note): note is string => note !== null);
  const outro = notes.join("\n\n");

  const from = { definitionRepository: input.definitionRepository, readerRepository: input.checkRepository };
  const listed = errors.map((e) => formatDefinitionErrorFrom(e, from)).join("\n");
  // Room for the two fences and the line breaks around them and the sections.
  const fenceRoom = 2 * codeFenceFor(listed).length + 8;
  const budget = checkRunSummaryMaxChars - intro.length - outro.length - fenceRoom;
  const summary = [intro, fencedCodeBlock(fitHead(listed, budget)), outro].join("\n\n");

  const count = `${errors.length} ${errors.length === 1 ? "error" : "errors"}`;
  return {
    name: `automation: ${automation}`,
    title: fitHead(`Invalid definition: ${count}`, checkRunTitleMaxChars),
    summary,
    annotations,
  };
}

function annotationOf(error: DefinitionError): CheckRunAnnotation {
  const lines = { start_line: error.line, end_line: error.line };
  return {
    path: error.path,
    ...lines,
    // GitHub accepts columns only on a single-line annotation.
    ...(lines.start_line === lines.end_line ? { start_column: error.column, end_column: error.column } : {}),
    annotation_level: "failure",
    message: fitHead(error.message, annotationMessageMaxChars),
  };
}
