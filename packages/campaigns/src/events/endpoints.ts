import { isIP } from 'node:net';
import {
  EVENT_TYPES,
  TEST_EVENT_TYPE,
  type EndpointTestResult,
  type EventEndpointBody,
  type EventEndpointCreated,
  type EventEndpointView,
  type EventType,
} from '@sobot/schema';
import { NotFoundError, type EventEndpoint } from '@sobot/store';
import type { CampaignDeps } from '../deps';
import { InputError } from '../errors';
import { isPublicAddress, systemResolve, type Resolve } from '../public-address';
import { attemptDelivery, type AttemptOptions } from './delivery-attempt';
import { newEventId, newSecret } from './signing';

/** Options of the endpoint calls: name resolution can be replaced (tests); the rest comes from `deps.cfg`. */
export interface EndpointOptions {
  resolve?: Resolve;
  /** For `test`: the receiver's deadline (15 s by default). */
  timeoutMs?: number;
}

const URL_MESSAGE = 'url must be an http(s) URL without credentials whose host resolves only to public addresses';

/**
 * The §14 public-address rule for an endpoint URL, at creation: http(s), no user:password, and every address its
 * host resolves to public (unless ALLOW_PRIVATE_URLS). Each delivery checks again, on the address it connects to.
 */
export async function checkEndpointUrl(text: string, allowPrivate: boolean, resolve: Resolve = systemResolve) {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError('INVALID_URL', URL_MESSAGE);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new InputError('INVALID_URL', URL_MESSAGE);
  }
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await resolve(host)).map((a) => a.address);
  } catch {
    addresses = [];
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw new InputError('URL_NOT_PUBLIC', URL_MESSAGE);
  return url;
}

export function endpointView(ep: EventEndpoint): EventEndpointView {
  return {
    id: ep.id,
    url: ep.url,
    events: ep.events as EventType[],
    campaign_id: ep.campaignId,
    description: ep.description,
    created_at: new Date(ep.createdAt).toISOString(),
  };
}

/** `POST /v1/event-endpoints`: the endpoint and its secret (the only answer that shows it). */
export async function createEventEndpoint(
  deps: CampaignDeps,
  body: EventEndpointBody,
  opts: EndpointOptions = {},
): Promise<EventEndpointCreated> {
  const url = await checkEndpointUrl(body.url, deps.cfg?.ALLOW_PRIVATE_URLS ?? false, opts.resolve);
  // Listed in the enum's order, each once: the stored list reads the same however it was given.
  const events = body.events ? EVENT_TYPES.filter((t) => body.events!.includes(t)) : [...EVENT_TYPES];
  const secret = newSecret();
  const ep = await deps.store.eventEndpoints.create(
    { url: url.href, events, campaignId: body.campaign_id, description: body.description || undefined },
    secret,
  );
  return { ...endpointView(ep), secret };
}

export async function listEventEndpoints(deps: CampaignDeps): Promise<{ endpoints: EventEndpointView[] }> {
  return { endpoints: (await deps.store.eventEndpoints.list()).map(endpointView) };
}

async function found(deps: CampaignDeps, id: string): Promise<EventEndpoint> {
  const ep = await deps.store.eventEndpoints.get(id);
  if (!ep) throw new NotFoundError('event endpoint');
  return ep;
}

export async function getEventEndpoint(deps: CampaignDeps, id: string): Promise<EventEndpointView> {
  return endpointView(await found(deps, id));
}

/** Removes an endpoint; answers what it was. */
export async function removeEventEndpoint(deps: CampaignDeps, id: string): Promise<EventEndpointView> {
  const ep = await found(deps, id);
  if (!(await deps.store.eventEndpoints.remove(id))) throw new NotFoundError('event endpoint');
  await deps.store.eventDeliveries.forget(id);
  return endpointView(ep);
}

/** `POST …/:id/rotate-secret`: a new secret; the previous one signs too for 24 h. */
export async function rotateEndpointSecret(deps: CampaignDeps, id: string) {
  const secret = newSecret();
  const until = await deps.store.eventEndpoints.rotate(id, secret);
  if (until === undefined) throw new NotFoundError('event endpoint');
  return { id, secret, previous_secret_expires_at: new Date(until).toISOString() };
}

/**
 * `POST …/:id/test`: sends one signed `endpoint.test` event now (outside any queue, with the delivery's own checks
 * and 15 s timeout) and answers what the receiver said.
 */
export async function testEventEndpoint(
  deps: CampaignDeps,
  id: string,
  opts: EndpointOptions = {},
): Promise<EndpointTestResult> {
  const ep = await found(deps, id);
  const secrets = await deps.store.eventEndpoints.signingSecrets(id);
  const eventId = newEventId();
  const body = JSON.stringify({
    id: eventId,
    type: TEST_EVENT_TYPE,
    created_at: new Date().toISOString(),
    data: { endpoint_id: ep.id },
  });
  const attempt: AttemptOptions = {
    allowPrivateUrls: deps.cfg?.ALLOW_PRIVATE_URLS ?? false,
    resolve: opts.resolve,
    timeoutMs: opts.timeoutMs,
  };
  const r = await attemptDelivery(ep.url, secrets, eventId, body, attempt);
  return { event_id: eventId, ok: r.ok, status: r.status, error: r.error, duration_ms: r.durationMs };
}
