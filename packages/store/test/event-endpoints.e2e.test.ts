import { PREVIOUS_SECRET_MS, isEndpointId } from '../src';
import { useTestStore } from './helpers';

const env = useTestStore();
const SECRET_A = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const SECRET_B = 'whsec_' + Buffer.alloc(32, 2).toString('base64');
const SECRET_C = 'whsec_' + Buffer.alloc(32, 3).toString('base64');

test('create, get, list (oldest first), remove; views never carry a secret', async () => {
  const eps = env.store.eventEndpoints;
  const a = await eps.create({ url: 'https://a.example/hook', events: ['message.sent', 'message.failed'] }, SECRET_A);
  const b = await eps.create(
    { url: 'https://b.example/hook', events: ['campaign.completed'], campaignId: 'c000000000000001', description: 'B' },
    SECRET_B,
    Date.now() + 1,
  );
  expect(isEndpointId(a.id)).toBe(true);
  expect(await eps.get(a.id)).toEqual(a);
  expect(a).toMatchObject({ events: ['message.sent', 'message.failed'], campaignId: null, description: null });
  expect(await eps.get(b.id)).toMatchObject({ campaignId: 'c000000000000001', description: 'B' });
  expect((await eps.list()).map((e) => e.id)).toEqual([a.id, b.id]);
  expect(JSON.stringify(await eps.list())).not.toContain('whsec_');
  expect(await eps.signingSecrets(a.id)).toEqual([SECRET_A]);

  expect(await eps.remove(a.id)).toBe(true);
  expect(await eps.remove(a.id)).toBe(false);
  expect(await eps.get(a.id)).toBeUndefined();
  expect(await eps.signingSecrets(a.id)).toEqual([]);
  expect((await eps.list()).map((e) => e.id)).toEqual([b.id]);
  expect(await env.ctx.redis.exists(env.ctx.keys.eventEndpoint(a.id))).toBe(0);
  await eps.remove(b.id);
});

test('malformed ids name nothing', async () => {
  const eps = env.store.eventEndpoints;
  expect(await eps.get('nope')).toBeUndefined();
  expect(await eps.remove('ep_../../x')).toBe(false);
  expect(await eps.rotate('x', SECRET_B)).toBeUndefined();
  expect(await eps.rotate('ep_00000000000000000', SECRET_B)).toBeUndefined();
});

test('rotation: both secrets sign for 24 h, then only the new one; a third rotation drops the first', async () => {
  const eps = env.store.eventEndpoints;
  const now = Date.now();
  const ep = await eps.create({ url: 'https://r.example/', events: ['message.read'] }, SECRET_A, now);
  const until = await eps.rotate(ep.id, SECRET_B, now);
  expect(until).toBe(now + PREVIOUS_SECRET_MS);
  expect(await eps.signingSecrets(ep.id, now + 1)).toEqual([SECRET_B, SECRET_A]);
  expect(await eps.signingSecrets(ep.id, now + PREVIOUS_SECRET_MS - 1)).toEqual([SECRET_B, SECRET_A]);
  expect(await eps.signingSecrets(ep.id, now + PREVIOUS_SECRET_MS)).toEqual([SECRET_B]);
  await eps.rotate(ep.id, SECRET_C, now + 10);
  expect(await eps.signingSecrets(ep.id, now + 11)).toEqual([SECRET_C, SECRET_B]);
  expect(await eps.get(ep.id)).toEqual(ep);
});
