import { messageId } from '../src';
import { expireCampaign } from '../src/retention';
import { DEFAULTS, RESULT_TTL_S, recipient, useTestStore } from './helpers';

const env = useTestStore();
const header = { name: 'api', source: 'api' as const, defaults: {}, total: 2, rejected: 0, duplicates: 0 };

test('metadata is written with the commit, read by the message view, and takes the retention TTL', async () => {
  const writer = env.store.newCampaign({});
  await writer.add(recipient(1));
  await writer.add(recipient(2));
  await writer.commit({ ...header, metadata: new Map([[1, '{"order":"A-1"}']]) });
  const id = writer.campaignId;
  expect((await env.store.campaigns.message(messageId(id, 1)))?.metadata).toEqual({ order: 'A-1' });
  expect((await env.store.campaigns.message(messageId(id, 0)))?.metadata).toBeNull();
  await expireCampaign(env.ctx, id, RESULT_TTL_S);
  const ttl = await env.ctx.redis.ttl(env.ctx.keys.metadata(id));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(RESULT_TTL_S);
});

test('an aborted campaign leaves no metadata behind; an upload has none', async () => {
  const writer = env.store.newCampaign({});
  await writer.add(recipient(3));
  await env.ctx.redis.hset(env.ctx.keys.metadata(writer.campaignId), '0', '{}');
  await writer.abort();
  expect(await env.ctx.redis.exists(env.ctx.keys.metadata(writer.campaignId))).toBe(0);

  const upload = env.store.newCampaign(DEFAULTS);
  await upload.add(recipient(4));
  await upload.commit({ ...header, source: 'upload', defaults: DEFAULTS, total: 1 });
  expect((await env.store.campaigns.message(messageId(upload.campaignId, 0)))?.metadata).toBeNull();
});
