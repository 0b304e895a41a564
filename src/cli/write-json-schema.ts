import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { definitionJsonSchemaPath, definitionJsonSchemaText } from "./definition-json-schema.js";

// `npm run schema`: regenerates schema/automation.schema.json after a change to the definition
// schema. Commit the result; test/unit/definition-json-schema.test.ts fails until then.
const target = fileURLToPath(new URL(`../../${definitionJsonSchemaPath}`, import.meta.url));
await writeFile(target, definitionJsonSchemaText());
console.info(`wrote ${definitionJsonSchemaPath}`);
