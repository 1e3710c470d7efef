import { z } from 'zod';
import { apiErrorBodySchema } from '@sobot/schema';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as fastify's route `schema` takes it. */
export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema for the OpenAPI document. The handlers validate with zod and the app's
 * validator and serializer ignore route schemas, so this is documentation only, taken from the same
 * schema that does the work. Requests are documented as zod reads them (`input`), answers as they are
 * produced (`output`: no property beyond those listed).
 */
export function doc(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    // zod spells `format: date-time` out as a long regex too: the format says it for a reader.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
    },
  }) as JsonSchema;
  return rest;
}

/** A JSON answer: its schema with the response's description. */
export const answer = (description: string, schema: z.ZodType): JsonSchema => ({
  description,
  ...doc(schema, 'output'),
});

/** A streamed answer in several media types (a report: CSV, JSON or NDJSON). */
export const contentAnswer = (description: string, content: Record<string, JsonSchema>): JsonSchema => ({
  description,
  content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
});

const errorSchema = doc(apiErrorBodySchema, 'output');

/** What each status means wherever it is answered; a route adds its own codes after it. */
const COMMON: Record<number, string> = {
  400: 'The request is invalid (`details` says where).',
  401: '`UNAUTHORIZED`: missing or wrong credentials.',
  404: '`NOT_FOUND`: no such resource (unknown or malformed id) or route.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is too large.',
  415: '`UNSUPPORTED_MEDIA_TYPE`: the body is of a type this route does not read.',
  500: '`INTERNAL`: an unexpected failure (logged; no detail is given to the client).',
  503: '`STORE_UNAVAILABLE`: Redis is unreachable; nothing was done, try again shortly.',
};

/**
 * Error answers of a route, all in the shape `{error:{code, message, details?}}`: `specific` maps a
 * status to the codes the route answers with it; 500 and 503 can come from any route that reads Redis.
 */
export function errors(specific: Record<number, string>, { store = true } = {}): Record<number, JsonSchema> {
  const all: Record<number, string> = { 500: '', ...specific };
  if (store) all[503] = specific[503] ?? '';
  return Object.fromEntries(
    Object.entries(all).map(([status, codes]) => [
      status,
      { description: [COMMON[Number(status)] ?? '', codes].filter(Boolean).join(' '), ...errorSchema },
    ]),
  );
}
