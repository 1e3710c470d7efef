import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '@sobot/config';
import { bearerAuth, pageToken } from './auth';
import { boardPlugin } from './board';
import type { AppDeps } from './deps';
import { registerErrorHandling } from './errors';
import { campaignRoutes } from './routes/campaigns';
import { messageRoutes } from './routes/messages';
import { messageStreamRoutes } from './routes/message-stream';
import { opsRoutes } from './routes/ops';
import { uploadRoutes } from './routes/upload';
import { webhookRoutes } from './routes/webhooks';
import { uiPlugin } from './ui/plugin';

/** Builds the producer's HTTP app (not listening): main.ts starts it, tests use inject() or listen(0). */
export async function buildApp(deps: AppDeps, logger: Logger | false = false): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = logger || undefined;
  const app = Fastify({ loggerInstance, bodyLimit: 10 * 2 ** 20 });
  // Routes validate with zod in their handlers; their JSON schemas only document the API (/docs).
  app.setValidatorCompiler(() => () => true);
  registerErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Sobot bulk image messages',
        version: '0.1.0',
        description: 'Upload recipient lists, send WhatsApp image messages, follow every wamid.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const { cfg } = deps;
  const board =
    cfg.BOARD_USER && cfg.BOARD_PASSWORD ? { user: cfg.BOARD_USER, password: cfg.BOARD_PASSWORD } : undefined;
  const tokens = [...cfg.API_KEYS, ...(board ? [pageToken(board.user, board.password)] : [])];

  await app.register(async (v1) => {
    v1.addHook('onRequest', bearerAuth(tokens));
    await v1.register(campaignRoutes, deps);
    await v1.register(messageRoutes, deps);
    await v1.register(messageStreamRoutes, deps);
    await v1.register(async (scope) => uploadRoutes(scope, deps));
  });
  await app.register(webhookRoutes, deps);
  await app.register(opsRoutes, deps);
  if (board) {
    await app.register(boardPlugin, { queues: deps.store.queue.queues, ...board });
    await app.register(uiPlugin, { ...board, token: pageToken(board.user, board.password) });
  }
  return app;
}
