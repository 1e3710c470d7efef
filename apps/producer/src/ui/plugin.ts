import type { FastifyInstance } from 'fastify';
import { registerBasicAuth } from '../board';

/** The campaign page at /ui (placeholder until the page lands). */
export async function uiPlugin(app: FastifyInstance, opts: { user: string; password: string; token: string }): Promise<void> {
  await registerBasicAuth(app, opts.user, opts.password);
  app.get('/ui', async (_req, reply) => reply.type('text/html').send('<!doctype html><title>Campaigns</title><p>Campaign page</p>'));
}
