import { z } from "zod";
import { definitionSchema } from "../automations/definition-schema.js";

// schema/automation.schema.json, for editors: generated from the zod schema the app validates
// with, so the two cannot disagree. `npm run schema` writes it; a unit test fails when it is stale.

/** Where the generated file lives, relative to the project root. */
export const definitionJsonSchemaPath = "schema/automation.schema.json";

// The name defaults to the file name, which one schema for every file cannot know.
const fileNamePlaceholder = "<file name>";

export function definitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(definitionSchema(fileNamePlaceholder), {
    // What people write (durations as "30m" or seconds, keys with defaults optional), not the
    // parsed result.
    io: "input",
    // The draft that YAML and JSON language servers in editors support best.
    target: "draft-7",
    override: ({ jsonSchema }) => {
      if (jsonSchema.default === fileNamePlaceholder) delete jsonSchema.default;
    },
  });
}

/** The file's exact text: two-space JSON with a final newline. */
export function definitionJsonSchemaText(): string {
  return `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
}
