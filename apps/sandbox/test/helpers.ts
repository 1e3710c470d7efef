import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { z } from 'zod';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src';

export const VALID = {
  type: 'image',
  url: 'https://example.com/images/photo.jpg',
  customer_number: '919970585556',
  customer_name: 'John Doe',
  mime_type: 'image/jpeg',
} as const;

export const KEYS = { 'x-api-key': 'key-1', 'x-api-secret': 'secret-1' } as const;

/** Any answer of the message endpoint, success or error. */
const answerBody = z.object({
  code: z.number(),
  message: z.string(),
  data: z.object({ id: z.string().optional(), status: z.string() }).optional(),
  error: z
    .object({
      code: z.number(),
      message: z.string(),
      type: z.string().optional(),
      error_data: z.object({ messaging_product: z.literal('whatsapp'), details: z.string() }).optional(),
    })
    .optional(),
});

export interface Answer {
  status: number;
  headers: Headers;
  body: z.infer<typeof answerBody>;
}

const opened: Sandbox[] = [];

/** A sandbox closed after the test that opened it. */
export async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox(options);
  opened.push(sb);
  return sb;
}

export async function closeSandboxes(): Promise<void> {
  await Promise.all(opened.splice(0).map((sb) => sb.close()));
}

export async function send(
  sb: Sandbox,
  body: unknown = VALID,
  {
    headers = KEYS,
    path = '/message/',
    signal,
  }: { headers?: Record<string, string>; path?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const res = await fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
  return { status: res.status, headers: res.headers, body: answerBody.parse(await res.json()) };
}

/** One post the receiver got, as it arrived. */
export interface Delivery {
  /** Path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
}

export interface Receiver {
  url: string;
  bodies: unknown[];
  deliveries: Delivery[];
  /** The status the receiver answers with (200 unless set). */
  answer: { status: number; body: string };
  close(): Promise<void>;
}

/** A webhook endpoint that keeps every post made to it: raw bytes, headers, parsed JSON. */
export async function receiver(path = '/webhook'): Promise<Receiver> {
  const bodies: unknown[] = [];
  const deliveries: Delivery[] = [];
  const answer = { status: 200, body: 'ok' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body: unknown = JSON.parse(raw.toString('utf8'));
      bodies.push(body);
      deliveries.push({ url: req.url ?? '', headers: req.headers, raw, body });
      res.statusCode = answer.status;
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bodies,
    deliveries,
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
