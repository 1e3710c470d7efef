import type { SwaggerOptions } from '@fastify/swagger';

/**
 * The parts of the OpenAPI document that belong to no route. OpenAPI 3.1 because its schema objects
 * are JSON Schema 2020-12, which zod writes as it is: no lossy `nullable` translation, and the very
 * schemas of the document validate real answers in the tests.
 */
export const openapiDocument: Extract<SwaggerOptions, { openapi?: unknown }>['openapi'] = {
  openapi: '3.1.0',
  info: {
    title: 'Sobot bulk image messages',
    version: '0.1.0',
    description:
      'Upload recipient lists, send WhatsApp image messages, follow every wamid. Every error answer is ' +
      '`{"error":{"code","message","details?"}}`, never a stack trace. Bull Board (`/admin/queues`) and ' +
      'the campaign page (`/ui`) are behind basic auth with the board credentials; their 401 has the same shape.',
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'one of `API_KEYS`' },
      webhookToken: {
        type: 'apiKey',
        in: 'query',
        name: 'token',
        description: '`WEBHOOK_TOKEN`: the upstream calls `…/v1/webhooks/sobot?token=<WEBHOOK_TOKEN>`',
      },
      webhookSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Hub-Signature-256',
        description: '`sha256=<hex HMAC-SHA256 of the raw body with WEBHOOK_APP_SECRET>`, as Meta signs callbacks',
      },
    },
  },
  security: [{ bearer: [] }],
  tags: [
    { name: 'campaigns', description: 'Recipient lists and their sending' },
    { name: 'messages', description: 'Messages from other backends, one or a batch' },
    { name: 'webhooks', description: 'Delivery events from the upstream' },
    { name: 'operations', description: 'Health, readiness and metrics: no authentication' },
  ],
};
