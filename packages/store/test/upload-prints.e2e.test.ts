import { UPLOAD_PRINT_TTL_MS } from '../src';
import { useTestStore } from './helpers';

const env = useTestStore();

test('one claim wins; the others are told who has it, committed once settled, for 24 h', async () => {
  const prints = env.store.uploadPrints;
  const claims = await Promise.all(
    ['c1', 'c2', 'c3'].map((id) => prints.claim('h-race', `caaaaaaaaaaaaa${id.slice(1)}`, `name ${id}`)),
  );
  const winners = claims.filter((c) => c === undefined);
  expect(winners).toHaveLength(1);
  const holder = claims.find((c) => c !== undefined)!;
  expect(holder).toMatchObject({ committed: false });
  expect(holder.createdAt).toBeGreaterThan(Date.now() - 60_000);
  // A claim is leased, not kept for a day, until its campaign exists.
  const key = env.ctx.keys.uploadPrint('h-race');
  expect(await env.ctx.redis.pttl(key)).toBeLessThanOrEqual(10 * 60_000);
  await prints.settle('h-race', holder.id);
  expect(await prints.claim('h-race', 'cother000000000', 'other')).toMatchObject({ id: holder.id, committed: true });
  const ttl = await env.ctx.redis.pttl(key);
  expect(ttl).toBeGreaterThan(UPLOAD_PRINT_TTL_MS - 60_000);
  expect(ttl).toBeLessThanOrEqual(UPLOAD_PRINT_TTL_MS);
});

test('release frees only its own claim; force takes the hash over', async () => {
  const prints = env.store.uploadPrints;
  expect(await prints.claim('h-release', 'cmine0000000000', 'mine')).toBeUndefined();
  await prints.release('h-release', 'cnotmine0000000');
  expect(await prints.holder('h-release')).toMatchObject({ id: 'cmine0000000000', name: 'mine' });
  await prints.release('h-release', 'cmine0000000000');
  expect(await prints.holder('h-release')).toBeUndefined();

  expect(await prints.claim('h-force', 'cfirst000000000', 'first')).toBeUndefined();
  await prints.settle('h-force', 'cfirst000000000');
  expect(await prints.claim('h-force', 'csecond00000000', 'second', true)).toBeUndefined();
  // The first's late settle does not take it back.
  await prints.settle('h-force', 'cfirst000000000');
  expect(await prints.holder('h-force')).toMatchObject({ id: 'csecond00000000', committed: false });
});
