import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '@sobot/config';
import { v1Auth } from './auth';
import { AuthFailures, boardPlugin } from './board';
import type { AppDeps } from './deps';
import { closeOnEarlyAnswer } from './early-answer';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './errors';
import { namedSchemas } from './doc';
import { openapiDocument } from './openapi';
import { campaignRoutes } from './routes/campaigns';
import { eventEndpointRoutes } from './routes/event-endpoints';
import { messageRoutes } from './routes/messages';
import { messageStreamRoutes } from './routes/message-stream';
import { opsRoutes } from './routes/ops';
import { suppressionRoutes } from './routes/suppressions';
import { senderRoutes } from './routes/senders';
import { uploadRoutes } from './routes/upload';
import { webhookRoutes } from './routes/webhooks';
import { pageSessionRoutes, uiPlugin } from './ui/plugin';
import { limitConcurrentUploads } from './upload-slots';

const ROUTES = new WeakMap<FastifyInstance, RouteOptions[]>();
/** Every route an app built here serves, as registered (test/openapi-routes.test.ts walks them). */
export const registeredRoutes = (app: FastifyInstance): readonly RouteOptions[] => ROUTES.get(app) ?? [];

/** Builds the producer's HTTP app (not listening): main.ts starts it, tests use inject() or listen(0). */
export async function buildApp(deps: AppDeps, logger: Logger | false = false): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = logger || undefined;
  const app = Fastify({ loggerInstance, bodyLimit: 10 * 2 ** 20, frameworkErrors, clientErrorHandler });
  const routes: RouteOptions[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => void routes.push(route));
  // Routes validate with zod in their handlers and answer plain JSON: their `schema` (written next to each
  // route from the same zod schemas, doc.ts) only documents the API; @fastify/swagger makes /docs of them.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerErrorHandling(app);
  closeOnEarlyAnswer(app);
  limitConcurrentUploads(app, deps.cfg.MAX_CONCURRENT_UPLOADS, ['POST /v1/campaigns', 'POST /v1/suppressions']);
  for (const schema of namedSchemas()) app.addSchema(schema);
  await app.register(swagger, {
    openapi: openapiDocument,
    // Components keep the names the shared schemas were added with (`CampaignView`, not `def-3`).
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const { cfg } = deps;
  const board =
    cfg.BOARD_USER && cfg.BOARD_PASSWORD ? { user: cfg.BOARD_USER, password: cfg.BOARD_PASSWORD } : undefined;
  const sessions = board ? deps.store.pageSessions : undefined;

  await app.register(async (v1) => {
    v1.addHook('onRequest', v1Auth(cfg.API_KEYS, sessions));
    if (sessions) await v1.register(pageSessionRoutes, { sessions });
    await v1.register(campaignRoutes, deps);
    await v1.register(messageRoutes, deps);
    await v1.register(messageStreamRoutes, deps);
    await v1.register(async (scope) => uploadRoutes(scope, deps));
    await v1.register(async (scope) => suppressionRoutes(scope, deps));
    await v1.register(async (scope) => eventEndpointRoutes(scope, deps));
    await v1.register(async (scope) => senderRoutes(scope, deps));
  });
  await app.register(webhookRoutes, deps);
  await app.register(opsRoutes, deps);
  if (board) {
    // One count of wrong passwords per address for the board and the page.
    const failures = new AuthFailures();
    await app.register(boardPlugin, { queues: deps.store.queue.queues, ...board, failures });
    await app.register(uiPlugin, { ...board, sessions: deps.store.pageSessions, failures });
  }
  return app;
}
