import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { formatDefinitionError, parseDefinition } from "../../src/automations/parse-definition.js";
import { definitionJsonSchema } from "../../src/cli/definition-json-schema.js";

// The definitions README.md shows are ones the app accepts, and its table has every key.

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema };

/**
 * `container.resources.cpus`, `steps[].name`: every key of the format as the README names it;
 * a mapping is documented by its keys.
 */
function keyPaths(schema: JsonSchema, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [
    ...(child.properties ? [] : [`${prefix}${key}`]),
    ...keyPaths(child, `${prefix}${key}.`),
    ...(child.items ? keyPaths(child.items, `${prefix}${key}[].`) : []),
  ]);
}

const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
const definitions = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? "")
  .filter((block) => /^steps:/m.test(block));

describe("README.md", () => {
  it("shows at least the short and the complete example", () => {
    expect(definitions.length).toBeGreaterThanOrEqual(2);
  });

  it("documents every key of the format in its table", () => {
    const undocumented = keyPaths(definitionJsonSchema() as JsonSchema).filter((path) => !readme.includes(`| \`${path}\` |`));
    expect(undocumented).toEqual([]);
  });

  it.each(definitions)("example %# is a valid definition", (source) => {
    // In the file it names, as a name must be its file's.
    const name = /^name: (\S+)$/m.exec(source)?.[1] ?? "example";
    const result = parseDefinition(source, `.github/automations/${name}.yml`);
    expect(result.ok ? [] : result.errors.map(formatDefinitionError)).toEqual([]);
  });
});
