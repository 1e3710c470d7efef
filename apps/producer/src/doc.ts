import { z } from 'zod';

/** A zod schema as OpenAPI-compatible JSON Schema, for route documentation (zod does the validating). */
export function doc(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}
