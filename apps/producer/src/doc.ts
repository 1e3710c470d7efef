import type { FastifySchema } from 'fastify';
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
import { HTTP_STATUS, isErrorCode, type ErrorCode } from './errors';

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

/**
 * What each error code means on one route (`''`: the code alone says it). The status of each is its code's
 * (errors.ts HTTP_STATUS), so the document cannot disagree with the answer. A numeric key (a status and what
 * it means there) is the older form, still read.
 */
export type ErrorDocs = { [code in ErrorCode]?: string } & { [status: number]: string };

/** Route schemas by name, each typed as fastify's (a literal's narrow `response` keys would bind reply codes). */
export const schemas = <K extends string>(docs: Record<K, FastifySchema>): Record<K, FastifySchema> => docs;

/** The bearer token of /v1: every route behind it may answer 401. */
export const BEARER: ErrorDocs = { UNAUTHORIZED: 'the bearer token is missing or not one of `API_KEYS`.' };

const STORE_DOWN = '`STORE_UNAVAILABLE`: Redis is unreachable; nothing was done, try again shortly.';
const INTERNAL = '`INTERNAL`: an unexpected failure (logged; no detail is given to the client).';

/**
 * The error answers of a route, all in the shape `{error:{code, message, details?}}`, by status; 500 from any
 * route and 503 `STORE_UNAVAILABLE` from any that reads Redis (`store: false` for those that do not).
 */
export function errors(docs: ErrorDocs, { store = true } = {}): Record<number, JsonSchema> {
  const byStatus = new Map<number, string[]>();
  const add = (status: number, text: string) => byStatus.set(status, [...(byStatus.get(status) ?? []), text]);
  for (const [key, text] of Object.entries(docs)) {
    if (isErrorCode(key)) add(HTTP_STATUS[key], `\`${key}\`${text ? `: ${text}` : '.'}`);
    else add(Number(key), text);
  }
  if (store && !('STORE_UNAVAILABLE' in docs) && !(503 in docs)) add(503, STORE_DOWN);
  if (!byStatus.has(500)) add(500, INTERNAL);
  return Object.fromEntries(
    [...byStatus].map(([status, texts]) => [status, { description: texts.join(' ') || 'An error.', ...errorSchema }]),
  );
}
