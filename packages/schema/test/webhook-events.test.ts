import { parseWebhookEvents, WebhookBodyError } from '../src';

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
        { from: '919970585556', at: 1_700_000_001_000, type: 'text', text: 'STOP' },
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

  it('normalises senders like uploaded numbers (default country code too) and ignores what is no number', () => {
    const body = [
      { type: 'message', from: '99705 85556', text: 'hi' },
      { type: 'message', from: 'Asha', text: 'hi' },
    ];
    expect(parseWebhookEvents(body, { defaultCountryCode: '91' })).toMatchObject({
      inbound: [{ from: '919970585556' }],
      ignored: 1,
    });
  });

  it.each([[{ nothing: true }], [[{ id: 'wamid.A' }]], ['text'], [null], [{ entry: 'x' }], [{ statuses: 'x' }]])(
    'refuses %p',
    (body) => {
      expect(() => parseWebhookEvents(body)).toThrow(WebhookBodyError);
    },
  );
});
