import fc from 'fast-check';
import type { SobotImageMessage } from '@sobot/schema';
import { UploadFingerprint } from '../src/upload-fingerprint';

const defaults = { image_url: 'https://img.example/a.jpg', caption: 'Hi {name}' };
const message = fc.record({
  type: fc.constant('image' as const),
  customer_number: fc.stringMatching(/^[1-9]\d{7,14}$/),
  customer_name: fc.string({ maxLength: 20 }),
  url: fc.constantFrom('https://img.example/a.jpg', 'https://img.example/b.png'),
  mime_type: fc.constantFrom('image/jpeg' as const, 'image/png' as const),
  caption: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
});
const list = fc.uniqueArray(message, { minLength: 1, maxLength: 40, selector: (m) => m.customer_number });

function print(messages: SobotImageMessage[], d = defaults): string {
  const f = new UploadFingerprint(d);
  for (const m of messages) f.add(m);
  return f.digest();
}

test('the same recipients in any order give the same hash', () => {
  fc.assert(
    fc.property(list, fc.infiniteStream(fc.nat()), (messages, seeds) => {
      const it = seeds[Symbol.iterator]();
      const shuffled = [...messages].sort(() => ((it.next().value as number) % 3) - 1);
      expect(print(shuffled)).toBe(print(messages));
    }),
  );
});

test('any change to what a customer gets, one recipient more or fewer, or the defaults changes the hash', () => {
  fc.assert(
    fc.property(list, fc.nat(), (messages, k) => {
      const i = k % messages.length;
      const base = print(messages);
      const m = messages[i]!;
      for (const changed of [
        { ...m, customer_name: `${m.customer_name}x` },
        { ...m, caption: `${m.caption ?? ''}!` },
        { ...m, url: `${m.url}?v=2` },
        { ...m, mime_type: m.mime_type === 'image/png' ? ('image/jpeg' as const) : ('image/png' as const) },
      ]) {
        expect(print(messages.map((x, j) => (j === i ? changed : x)))).not.toBe(base);
      }
      expect(print(messages.filter((_, j) => j !== i))).not.toBe(base);
      expect(print(messages, { ...defaults, caption: 'Hello {name}' })).not.toBe(base);
    }),
  );
});

test('the wrapped sink sees every message and feeds the hash', async () => {
  const f = new UploadFingerprint(defaults);
  const seen: string[] = [];
  const sink = f.wrap((m) => {
    seen.push(m.customer_number);
  });
  const m: SobotImageMessage = {
    type: 'image',
    customer_number: '919800000001',
    customer_name: 'A',
    url: defaults.image_url,
    mime_type: 'image/jpeg',
  };
  await sink(m);
  expect(seen).toEqual(['919800000001']);
  expect(f.digest()).toBe(print([m]));
});
