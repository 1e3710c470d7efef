import fc from 'fast-check';
import { inboundNumber, parseWebhookEvents, WebhookBodyError } from '../src';

const meta = (value: object) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value }] }] });

describe('parseWebhookEvents', () => {
  it('reads Meta statuses and messages from one body', () => {
    const parsed = parseWebhookEvents(
      meta({
        statuses: [
          { id: 'wamid.A', status: 'read', timestamp: '1700000000' },
          { id: 'wamid.B', status: 'deleted' },
        ],
        messages: [
          { from: '919970585556', id: 'wamid.IN', timestamp: '1700000001', type: 'text', text: { body: 'STOP' } },
          { from: '919970585557', timestamp: '1700000002', type: 'image', image: { id: 'x' } },
        ],
      }),
    );
    expect(parsed).toEqual({
      statuses: [{ wamid: 'wamid.A', status: 'read', at: 1_700_000_000_000 }],
      inbound: [
        { from: '919970585556', id: 'wamid.IN', at: 1_700_000_001_000, type: 'text', text: 'STOP' },
        { from: '919970585557', at: 1_700_000_002_000, type: 'image' },
      ],
      ignored: 1,
    });
  });

  it('reads the flat forms: one event, arrays of both kinds, text as a string or {body}', () => {
    expect(parseWebhookEvents({ type: 'message', from: '919970585556', timestamp: 1, text: 'hi' }).inbound).toEqual([
      { from: '919970585556', at: 1000, type: 'text', text: 'hi' },
    ]);
    const parsed = parseWebhookEvents([
      { id: 'wamid.A', status: 'delivered', timestamp: 2 },
      { type: 'message', from: '+91 99705 85556', timestamp: 3, text: { body: 'START' } },
      { type: 'reaction', from: '919970585556' },
    ]);
    expect(parsed).toEqual({
      statuses: [{ wamid: 'wamid.A', status: 'delivered', at: 2000 }],
      inbound: [{ from: '919970585556', at: 3000, type: 'text', text: 'START' }],
      ignored: 1,
    });
    const both = parseWebhookEvents({
      statuses: [{ wamid: 'wamid.B', status: 'sent' }],
      messages: [{ type: 'message', from: '919970585556', text: 'x' }],
    });
    expect([both.statuses.length, both.inbound.length]).toEqual([1, 1]);
  });

  it('reads senders as international digits, never in a default country; ignores what is no number', () => {
    const body = [
      { type: 'message', id: 'in-1', from: '6581234567', text: 'STOP' },
      { type: 'message', from: '+47 912 34 567', text: 'STOP' },
      { type: 'message', from: '0044 7911 123456', text: 'hi' },
      { type: 'message', from: '99705 85556', text: 'hi' },
      { type: 'message', from: 'Asha', text: 'hi' },
      { type: 'message', from: '09970585556', text: 'hi' },
      { type: 'message', from: '123456', text: 'hi' },
    ];
    expect(parseWebhookEvents(body)).toMatchObject({
      inbound: [
        { from: '6581234567', id: 'in-1' },
        { from: '4791234567' },
        { from: '447911123456' },
        { from: '9970585556' },
      ],
      ignored: 3,
    });
    const wa = parseWebhookEvents(meta({ messages: [{ from: '6581234567', id: 'wamid.SG', text: { body: 'STOP' } }] }));
    expect(wa.inbound).toEqual([expect.objectContaining({ from: '6581234567', id: 'wamid.SG' })]);
  });

  describe('inboundNumber (property)', () => {
    const e164 = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 14 }))
      .map(([first, rest]) => `${first}${rest.join('')}`);

    it('takes E.164 digits as they are, with or without + / 00 and separators', () => {
      fc.assert(
        fc.property(e164, fc.constantFrom('', '+', '00', ' +'), fc.constantFrom('', ' ', '-', '.'), (d, lead, sep) => {
          const written = lead + d.replace(/(\d{3})(?=\d)/g, `$1${sep}`);
          expect(inboundNumber(written)).toBe(d);
        }),
      );
    });

    it('answers digits only, 7-15 of them, never starting with 0, and only digits that were written', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 24 }), (raw) => {
          const n = inboundNumber(raw);
          if (n === undefined) return;
          expect(n).toMatch(/^[1-9]\d{6,14}$/);
          // The digits of the answer are the digits written, in order, less a leading 00.
          const written = raw.replace(/\D/g, '');
          expect([written, written.slice(2)]).toContain(n);
        }),
      );
    });

    it('refuses more than 15 digits and text', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 16, maxLength: 30, unit: fc.constantFrom(...'0123456789') }), (d) => {
          expect(inboundNumber(`1${d.slice(1)}`)).toBeUndefined();
        }),
      );
      expect(inboundNumber('91 9970 abc')).toBeUndefined();
    });
  });

  it.each([[{ nothing: true }], [[{ id: 'wamid.A' }]], ['text'], [null], [{ entry: 'x' }], [{ statuses: 'x' }]])(
    'refuses %p',
    (body) => {
      expect(() => parseWebhookEvents(body)).toThrow(WebhookBodyError);
    },
  );
});
