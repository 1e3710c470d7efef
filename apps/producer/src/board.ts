import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { secretMatcher } from './auth';

/**
 * Failed basic-auth attempts per client address (SPEC §22): after `max` failures within `windowMs`, the address gets
 * 429 with `Retry-After` until the window that began with its first failure ends, whatever it sends. Kept in this
 * producer's memory (each producer counts on its own: with P producers an address has P × max tries per window);
 * at most `maxAddresses` addresses are tracked, the oldest dropped first.
 */
export class AuthFailures {
  private readonly seen = new Map<string, { since: number; count: number }>();

  constructor(
    readonly max = 5,
    readonly windowMs = 15 * 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds the address must wait before trying again, or 0 when it may try now. */
  retryAfter(address: string, now = Date.now()): number {
    const e = this.seen.get(address);
    if (!e) return 0;
    if (now - e.since >= this.windowMs) {
      this.seen.delete(address);
      return 0;
    }
    return e.count >= this.max ? Math.ceil((e.since + this.windowMs - now) / 1000) : 0;
  }

  failed(address: string, now = Date.now()): void {
    const e = this.seen.get(address);
    if (e && now - e.since < this.windowMs) {
      e.count += 1;
      return;
    }
    this.seen.delete(address);
    if (this.seen.size >= this.maxAddresses) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(address, { since: now, count: 1 });
  }
}

/**
 * Basic auth with the board credentials, for the board and the campaign page; repeated failures from one address
 * are slowed (AuthFailures, shared by both when the same instance is given).
 */
export async function registerBasicAuth(
  app: FastifyInstance,
  user: string,
  password: string,
  failures: AuthFailures = new AuthFailures(),
): Promise<void> {
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
    const wait = failures.retryAfter(req.ip);
    if (wait > 0) {
      void reply
        .code(429)
        .header('retry-after', String(wait))
        .send({
          error: { code: 'TOO_MANY_AUTH_FAILURES', message: `too many wrong passwords: try again in ${wait} s` },
        });
      return;
    }
    app.basicAuth(req, reply, (err) => {
      if (!err) return done();
      // A request without credentials is how a browser first asks: only a wrong password counts.
      if (req.headers.authorization) failures.failed(req.ip);
      void reply.code(401).send({
        error: { code: 'UNAUTHORIZED', message: 'Bull Board and the campaign page need the board user and password' },
      });
    });
  });
}

/** Bull Board at /admin/queues behind basic auth. */
export async function boardPlugin(
  app: FastifyInstance,
  opts: { queues: Queue[]; user: string; password: string; failures?: AuthFailures },
): Promise<void> {
  await registerBasicAuth(app, opts.user, opts.password, opts.failures);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: opts.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: '/admin/queues' });
}
