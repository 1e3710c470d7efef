import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { secretMatcher } from './auth';

/** Basic auth with the board credentials, for the board and the campaign page. */
export async function registerBasicAuth(app: FastifyInstance, user: string, password: string): Promise<void> {
  const userOk = secretMatcher([user]);
  const passwordOk = secretMatcher([password]);
  await app.register(basicAuth, {
    authenticate: { realm: 'sobot' },
    validate: async (u, p) => {
      if (!(userOk(u) && passwordOk(p))) throw new Error('wrong user or password');
    },
  });
  // Answered here rather than thrown: Bull Board's routes have their own error handler and body, and a
  // 401 must be in the API's error shape wherever it comes from (basic-auth has set the challenge).
  app.addHook('onRequest', (req, reply, done) => {
    app.basicAuth(req, reply, (err) => {
      if (!err) return done();
      void reply.code(401).send({
        error: { code: 'UNAUTHORIZED', message: 'Bull Board and the campaign page need the board user and password' },
      });
    });
  });
}

/** Bull Board at /admin/queues behind basic auth. */
export async function boardPlugin(
  app: FastifyInstance,
  opts: { queues: Queue[]; user: string; password: string },
): Promise<void> {
  await registerBasicAuth(app, opts.user, opts.password);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: opts.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: '/admin/queues' });
}
