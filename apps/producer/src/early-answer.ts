import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How much of an unread body is read and thrown away to keep a connection, and for how long at most. */
export interface EarlyAnswerPolicy {
  /** A body declared (Content-Length) at most this long is read to its end and the connection kept. */
  drainBytes: number;
  /** Past this long the connection is closed whatever is left. */
  drainMs: number;
}

export const DEFAULT_EARLY_ANSWER_POLICY: EarlyAnswerPolicy = { drainBytes: 2 ** 20, drainMs: 2_000 };

/** True when the request declared a body that node has not received to its end yet. */
function bodyPending(raw: IncomingMessage): boolean {
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * Throws away what is left of the body. Whatever read part of it (a parser, busboy, a byte limit) has stopped:
 * its pipes are cut so the bytes reach nobody. Past `maxBytes` or `ms` the socket is destroyed.
 */
function discardRest(raw: IncomingMessage, socket: Socket, maxBytes: number, ms: number): void {
  let seen = 0;
  const stop = () => {
    clearTimeout(timer);
    raw.off('data', onData);
  };
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) {
      stop();
      socket.destroy();
    }
  };
  const timer = setTimeout(() => {
    stop();
    socket.destroy();
  }, ms);
  timer.unref();
  raw.once('end', stop);
  raw.once('close', stop);
  raw.unpipe();
  raw.on('data', onData);
  raw.resume();
}

/**
 * Node ends a `Connection: close` answer with `socket.destroySoon()`: the socket is closed as soon as the answer is
 * flushed, while the client may still be writing its body. Closing with unread bytes makes the kernel send a reset,
 * and a client that is still writing (undici, Node's fetch) gets `EPIPE` / `ECONNRESET` and never reads the answer
 * that is waiting in its buffer. A lingering close instead: the answer is flushed and the write side ended (FIN), and
 * the socket stays open for reading; `discardRest` throws away what arrives, and the socket is destroyed when the
 * client ends its side, or `drainMs` after the answer at the latest.
 */
function lingerOnClose(socket: Socket, ms: number): void {
  const own = socket as Socket & { destroySoon?: () => void };
  own.destroySoon = () => {
    if (!socket.writableEnded) socket.end();
    // The client ends its side once it has read the answer; a client that does not is cut after `ms`.
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
  };
}

/**
 * SPEC §18: an answer given before the request's body was read to its end (any early error of an upload, an
 * import or a webhook: a handler's, the error handler's, a 413 of the body parser, a 401 of an auth hook) must
 * not leave a keep-alive client's next request waiting behind the unread bytes. A small declared body is read
 * and thrown away and the connection kept; anything else (a larger body, a chunked one) is answered with
 * `Connection: close`, node closes the socket once the answer is flushed, and what arrives until then is thrown
 * away. Installed once for the whole app (an onSend hook sees every answer, errors included).
 */
export function closeOnEarlyAnswer(
  app: FastifyInstance,
  policy: EarlyAnswerPolicy = DEFAULT_EARLY_ANSWER_POLICY,
): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const raw = req.raw;
    const socket: unknown = raw.socket;
    // inject() requests have a stand-in socket and no connection to keep or close.
    if (!(socket instanceof Socket) || socket.destroyed || !bodyPending(raw)) return payload;
    const declared = Number(raw.headers['content-length']);
    const keep = raw.headers['transfer-encoding'] === undefined && declared <= policy.drainBytes;
    if (!keep) {
      void reply.header('connection', 'close');
      lingerOnClose(socket, policy.drainMs);
    }
    discardRest(raw, socket, keep ? policy.drainBytes : Number.POSITIVE_INFINITY, policy.drainMs);
    return payload;
  });
}
