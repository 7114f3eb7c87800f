import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaDir, stackJsonSchemas } from './json-schema';

mkdirSync(jsonSchemaDir, { recursive: true });
for (const [name, schema] of Object.entries(stackJsonSchemas())) {
  writeFileSync(join(jsonSchemaDir, name), `${JSON.stringify(schema, null, 2)}\n`);
}
