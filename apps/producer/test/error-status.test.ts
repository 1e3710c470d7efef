/**
 * HTTP status from each error's `code` through one table (errors.ts HTTP_STATUS): every code a package can
 * throw has a status (none falls through to a silent 500), each error class answers its code's status in the
 * API's shape, and an error with no known code is a bare 500 with neither its message nor its stack.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { z } from 'zod';
import {
  CAMPAIGN_ERROR_CODES,
  ConflictError,
  DuplicateUploadError,
  IdempotencyConflictError,
  IdempotencyInProgressError,
  ImagePreflightError,
  InputError,
} from '@sobot/campaigns';
import { INGEST_ERROR_CODES, IngestError } from '@sobot/ingest';
import { WebhookBodyError } from '@sobot/schema';
import {
  InvalidCursorError,
  InvalidStateError,
  NotFoundError,
  STORE_ERROR_CODES,
  StoreError,
  StoreFullError,
  StoreUnavailableError,
} from '@sobot/store';
import { ApiError, HTTP_STATUS, isErrorCode, registerErrorHandling, type ErrorCode } from '../src/errors';

const PACKAGE_CODES: Record<string, readonly string[]> = {
  store: STORE_ERROR_CODES,
  ingest: INGEST_ERROR_CODES,
  campaigns: CAMPAIGN_ERROR_CODES,
  schema: [new WebhookBodyError().code],
};

let app: FastifyInstance;
/** The error the next request's handler throws. */
let next: () => unknown;

beforeAll(async () => {
  app = Fastify();
  registerErrorHandling(app);
  app.get('/throw', async () => {
    throw next();
  });
  await app.ready();
});
afterAll(() => app.close());

async function answerTo(make: () => unknown) {
  next = make;
  const res = await app.inject('/throw');
  return { status: res.statusCode, body: res.json(), text: res.body, headers: res.headers };
}

test('every code any package can throw has a 4xx or 5xx status in the one table', () => {
  const missing = Object.entries(PACKAGE_CODES).flatMap(([pkg, codes]) =>
    codes.filter((c) => !isErrorCode(c)).map((c) => `${pkg}: ${c}`),
  );
  expect(missing).toEqual([]);
  for (const status of Object.values(HTTP_STATUS)) {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
  }
});

test("each package's errors answer their code's status, in the API's error shape and with no stack", async () => {
  const errors: Array<() => Error & { code: string }> = [
    () => new NotFoundError('campaign c0'),
    () => new InvalidStateError('cancelled', 'resume'),
    () => new InvalidCursorError(),
    () => new StoreUnavailableError(new Error('ECONNREFUSED')),
    () => new StoreFullError(new Error('OOM')),
    ...STORE_ERROR_CODES.map((c) => () => new StoreError(c, `store said ${c}`)),
    ...INGEST_ERROR_CODES.map((c) => () => new IngestError(c, `file: ${c}`)),
    ...CAMPAIGN_ERROR_CODES.map((c) => () => new InputError(c, `input: ${c}`)),
    () => new ConflictError('NO_INBOUND_EVENTS', 'no inbound'),
    () => new DuplicateUploadError({ id: 'c1', name: 'n', createdAt: 0 }),
    () => new IdempotencyConflictError(),
    () => new IdempotencyInProgressError(),
    () => new ImagePreflightError('size'),
    () => new WebhookBodyError(),
    () => new ApiError('UNAUTHORIZED', 'no key'),
    () => new ApiError('TOO_MANY_UPLOADS', 'busy'),
  ];
  for (const make of errors) {
    const err = make();
    const { status, body, text } = await answerTo(make);
    expect([err.code, status]).toEqual([err.code, HTTP_STATUS[err.code as ErrorCode]]);
    expect(body.error).toMatchObject({ code: err.code, message: err.message });
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  }
  expect((await answerTo(() => new InvalidStateError('cancelled', 'resume'))).body.error.details).toEqual({
    status: 'cancelled',
  });
  expect((await answerTo(() => new InvalidCursorError())).body.error.details).toEqual([
    { field: 'cursor', message: expect.any(String) },
  ]);
  const busy = await answerTo(() => new IdempotencyInProgressError());
  expect(busy.headers['retry-after']).toBe('1');
  expect((await answerTo(() => new ApiError('UNAUTHORIZED', 'x'))).headers['www-authenticate']).toBe('Bearer');
});

test('a zod failure is 400 INVALID_REQUEST naming the field', async () => {
  const { status, body } = await answerTo(() => z.object({ limit: z.number() }).safeParse({ limit: 'x' }).error);
  expect([status, body.error.code, body.error.details[0].field]).toEqual([400, 'INVALID_REQUEST', 'limit']);
});

test('the deprecated (status, code, …) form still takes its status from the code', async () => {
  const { status, body } = await answerTo(() => new ApiError(500, 'NOT_FOUND', 'gone', { id: 1 }));
  expect([status, body]).toEqual([404, { error: { code: 'NOT_FOUND', message: 'gone', details: { id: 1 } } }]);
});

test('an error with no known code is a 500 that shows neither its message nor its stack', async () => {
  const secret = 'redis://:hunter2@10.0.0.1';
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.constant(undefined),
        fc.string({ maxLength: 30 }).filter((c) => !isErrorCode(c) && !c.startsWith('FST_')),
      ),
      async (code) => {
        const { status, body, text } = await answerTo(() =>
          Object.assign(new Error(`connect to ${secret} failed`), code === undefined ? {} : { code }),
        );
        expect([status, body]).toEqual([500, { error: { code: 'INTERNAL', message: 'internal error' } }]);
        expect(text).not.toContain('hunter2');
      },
    ),
    { numRuns: 50 },
  );
  const thrown = await answerTo(() => new TypeError(`cannot read ${secret}`));
  expect([thrown.status, thrown.text]).toEqual([500, '{"error":{"code":"INTERNAL","message":"internal error"}}']);
});
