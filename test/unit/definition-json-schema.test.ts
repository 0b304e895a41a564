import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { definitionJsonSchema, definitionJsonSchemaPath, definitionJsonSchemaText } from "../../src/cli/definition-json-schema.js";

type JsonSchema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("the JSON Schema for editors", () => {
  it("is committed exactly as the generator produces it (run `npm run schema` after changing the schema)", async () => {
    const committed = await readFile(new URL(`../../${definitionJsonSchemaPath}`, import.meta.url), "utf8");
    expect(committed).toBe(definitionJsonSchemaText());
  });

  it("describes what people write: durations and sizes as text or numbers", () => {
    const schema = definitionJsonSchema() as JsonSchema;
    expect(schema.properties.container.properties.timeout.type).toEqual(["string", "number"]);
    expect(schema.properties.container.properties.resources.properties.memory.type).toEqual(["string", "number"]);
    expect(schema.properties.steps.items.properties.timeout.type).toEqual(["string", "number"]);
  });

  it("rejects unknown keys and requires only container and steps", () => {
    const schema = definitionJsonSchema() as JsonSchema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.container.additionalProperties).toBe(false);
    expect(schema.properties.steps.items.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["container", "steps"]);
    expect(schema.properties.steps.items.oneOf).toEqual([{ required: ["run"] }, { required: ["agent"] }]);
  });

  it("gives the defaults of the zod schema, and none for the name (it is the file name)", () => {
    const schema = definitionJsonSchema() as JsonSchema;
    expect(schema.properties.enabled.default).toBe(true);
    expect(schema.properties.container.properties.network.default).toBe("bridge");
    expect(schema.properties.steps.items.properties.continue_on_error.default).toBe(false);
    expect(schema.properties.name).not.toHaveProperty("default");
  });

  it("describes every key, for editors' hover text", () => {
    const undescribed: string[] = [];
    const visit = (node: JsonSchema, path: string) => {
      for (const [key, child] of Object.entries<JsonSchema>(node.properties ?? {})) {
        if (typeof child.description !== "string") undescribed.push(`${path}${key}`);
        visit(child, `${path}${key}.`);
        if (child.items) visit(child.items, `${path}${key}[].`);
      }
    };
    visit(definitionJsonSchema() as JsonSchema, "");
    expect(undescribed).toEqual([]);
  });
});
