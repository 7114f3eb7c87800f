import { z } from 'zod';
import { devStackSchema, prodStackSchema } from './schema';

/** JSON Schemas for editors, generated from the same zod models that validate the stack files. */
export function stackJsonSchemas(): Record<string, unknown> {
  const io = { io: 'input' } as const; // defaults make fields optional in the file
  return {
    'prod.schema.json': z.toJSONSchema(prodStackSchema, io),
    'dev.schema.json': z.toJSONSchema(devStackSchema, io),
  };
}

export const jsonSchemaDir = 'config/schema';
