import { z } from 'zod';
import {
  apiErrorBodySchema,
  campaignListSchema,
  campaignViewSchema,
  controlResultSchema,
  messageViewSchema,
  reportRowSchema,
  rowErrorSchema,
  sendMessagesResultSchema,
  uploadResultSchema,
} from '@sobot/schema';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as fastify's route `schema` takes it. */
export type JsonSchema = Record<string, unknown>;

const options = {
  target: 'draft-2020-12',
  unrepresentable: 'any',
  // zod spells `format: date-time` out as a long regex too: the format says it for a reader.
  override: ({ jsonSchema }: { jsonSchema: JsonSchema }) => {
    if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  },
} as const;

/**
 * A zod schema as JSON Schema for the OpenAPI document. The handlers validate with zod and the app's
 * validator and serializer ignore route schemas, so this is documentation only, taken from the same
 * schema that does the work. Requests are documented as zod reads them (`input`), answers as they are
 * produced (`output`: no property beyond those listed).
 */
export function doc(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { ...options, io }) as JsonSchema;
  return rest;
}

/**
 * Answers that get a name in the document's `components` (a client generated from it gets one type
 * per name, and each shape is written once).
 */
const named = z.registry<{ id: string }>();
const NAMES: Record<string, z.ZodType> = {
  ApiError: apiErrorBodySchema,
  CampaignView: campaignViewSchema,
  CampaignList: campaignListSchema,
  ControlResult: controlResultSchema,
  UploadResult: uploadResultSchema,
  RowError: rowErrorSchema,
  ReportRow: reportRowSchema,
  MessageView: messageViewSchema,
  SendMessagesResult: sendMessagesResultSchema,
};
for (const [id, schema] of Object.entries(NAMES)) named.add(schema, { id });

/** The named answers as shared schemas (fastify's `addSchema`): @fastify/swagger lists them as components. */
export function namedSchemas(): JsonSchema[] {
  const { schemas } = z.toJSONSchema(named, { ...options, io: 'output', uri: (id) => id });
  return Object.values(schemas).map(({ $schema: _drop, ...rest }) => rest);
}

/** An answer's schema: a reference to its component when it has a name, else written out. */
export function answerSchema(schema: z.ZodType): JsonSchema {
  const name = named.get(schema)?.id;
  return name ? { $ref: `${name}#` } : doc(schema, 'output');
}

/** A JSON answer: its schema with the response's description. */
export const answer = (description: string, schema: z.ZodType): JsonSchema => ({
  description,
  ...answerSchema(schema),
});

/** A streamed answer in several media types (a report: CSV, JSON or NDJSON). */
export const contentAnswer = (description: string, content: Record<string, JsonSchema>): JsonSchema => ({
  description,
  content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
});

const errorSchema = answerSchema(apiErrorBodySchema);

/** The errors any route can answer. */
const COMMON: Record<number, string> = {
  500: '`INTERNAL`: an unexpected failure (logged; no detail is given to the client).',
  503: '`STORE_UNAVAILABLE`: Redis is unreachable; nothing was done, try again shortly.',
};

/**
 * Error answers of a route, all in the shape `{error:{code, message, details?}}`: `specific` maps a
 * status to what it means there, codes included; 500 and 503 can come from any route that reads Redis.
 */
export function errors(specific: Record<number, string>, { store = true } = {}): Record<number, JsonSchema> {
  const all: Record<number, string> = { 500: '', ...specific };
  if (store) all[503] = specific[503] ?? '';
  return Object.fromEntries(
    Object.entries(all).map(([status, codes]) => [
      status,
      { description: codes || COMMON[Number(status)] || 'An error.', ...errorSchema },
    ]),
  );
}
