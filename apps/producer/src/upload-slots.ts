import type { FastifyInstance } from 'fastify';
import { tooManyUploads } from './errors';
import { MemoryRelease } from './memory-release';

/**
 * SPEC §22: at most `max` uploads (of `routes`, `METHOD /path` as registered) are read at once; one more is refused
 * before its body is read (503 TOO_MANY_UPLOADS with Retry-After, and the early-answer policy closes or drains its
 * connection). A slot is taken after authentication (a preHandler: stream bodies are not read yet) and given back
 * when the answer is done or the connection closes, whichever comes first.
 */
export function limitConcurrentUploads(app: FastifyInstance, max: number, routes: readonly string[]): void {
  const limited = new Set(routes);
  let reading = 0;
  const memory = new MemoryRelease();
  app.addHook('preHandler', async (req, reply) => {
    if (!limited.has(`${req.method} ${req.routeOptions.url}`)) return;
    if (reading >= max) throw tooManyUploads(max);
    reading += 1;
    memory.busy();
    let held = true;
    const release = () => {
      if (held) {
        reading -= 1;
        if (reading === 0) memory.idle();
      }
      held = false;
    };
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
  });
}
