import type { DefinitionSource } from "../automations/load-definition.js";
import { loadDefinitionSource } from "../automations/load-definition.js";
import type { AutomationDefinition } from "../automations/definition-schema.js";
import { parseDefinition, type DefinitionError } from "../automations/parse-definition.js";
import { invalidDefinitionReply, missingDefinitionReply } from "./replies.js";
import type { CommentContext } from "./run-command.js";

export type DefinitionRead =
  | { kind: "valid"; file: DefinitionSource; definition: AutomationDefinition }
  | { kind: "invalid"; file: DefinitionSource; errors: DefinitionError[]; message: string }
  | { kind: "missing"; message: string };

/** The definition `name` as the comment's repository sees it (its own file, else the organisation's), validated. */
export async function readDefinition(ctx: CommentContext, name: string): Promise<DefinitionRead> {
  const { owner, repo, defaultBranch } = ctx.repository;
  const lookup = await loadDefinitionSource(ctx.octokit, { owner, repo, defaultBranch }, name);
  if (lookup.kind === "missing") return { kind: "missing", message: missingDefinitionReply(name, lookup.searched) };
  const { file } = lookup;
  const parsed = parseDefinition(file.source, file.path);
  if (parsed.ok) return { kind: "valid", file, definition: parsed.definition };
  const where = { definitionRepository: file.repository, readerRepository: `${owner}/${repo}` };
  return { kind: "invalid", file, errors: parsed.errors, message: invalidDefinitionReply(name, parsed.errors, where) };
}
