import type { SobotImageMessage } from '@sobot/schema';
import { isTerminal, type Outcome } from '../src';
import { decodeOutcome, encodeOutcome } from '../src/outcome-codec';
import { chunkDefaults, decodeChunk, encodeRecipient } from '../src/recipient-codec';

const defaults = chunkDefaults({ image_url: 'https://cdn.example.com/promo.JPG?v=3', caption: 'Diwali offer' });

const plain: SobotImageMessage = {
  type: 'image',
  url: 'https://cdn.example.com/promo.JPG?v=3',
  mime_type: 'image/jpeg',
  customer_number: '919970000001',
  customer_name: 'Asha',
  caption: 'Diwali offer',
};

describe('recipient codec', () => {
  it('infers the default mime type from the default URL, query string and case aside', () => {
    expect(defaults).toEqual({
      url: 'https://cdn.example.com/promo.JPG?v=3',
      mime: 'image/jpeg',
      caption: 'Diwali offer',
    });
  });

  it('stores only number and name for a recipient that uses every default', () => {
    expect(encodeRecipient(plain, defaults)).toEqual(['919970000001', 'Asha']);
  });

  it('keeps each override and writes 0 for a default that sits before one', () => {
    const ownCaption = { ...plain, caption: 'Just for you' };
    const ownImage = { ...plain, url: 'https://cdn.example.com/b.png', mime_type: 'image/png' as const };
    const noCaption: SobotImageMessage = { ...plain };
    delete noCaption.caption;
    expect(encodeRecipient(ownCaption, defaults)).toEqual(['919970000001', 'Asha', 0, 0, 'Just for you']);
    expect(encodeRecipient(ownImage, defaults)).toEqual([
      '919970000001',
      'Asha',
      'https://cdn.example.com/b.png',
      'image/png',
    ]);
    // No caption where the campaign has one: stored as '' so that decoding does not bring the default back.
    expect(encodeRecipient(noCaption, defaults)).toEqual(['919970000001', 'Asha', 0, 0, '']);
    // A zone from a `timezone` column comes last; every other field stays a default.
    expect(encodeRecipient({ ...plain, timezone: 'Asia/Kolkata' }, defaults)).toEqual([
      '919970000001',
      'Asha',
      0,
      0,
      0,
      'Asia/Kolkata',
    ]);
  });

  it('round-trips a chunk of mixed recipients exactly', () => {
    const noCaption: SobotImageMessage = { ...plain, customer_number: '919970000004' };
    delete noCaption.caption;
    const messages: SobotImageMessage[] = [
      plain,
      { ...plain, customer_number: '919970000002', customer_name: 'Ravi | "Kumar"', caption: 'Line one\nline two, 🎉' },
      { ...plain, customer_number: '919970000003', url: 'https://cdn.example.com/b.png', mime_type: 'image/png' },
      noCaption,
      { ...plain, customer_number: '919970000005', timezone: 'America/Mexico_City' },
    ];
    const json = JSON.stringify(messages.map((m) => encodeRecipient(m, defaults)));
    expect(decodeChunk(json, defaults)).toEqual(messages);
  });

  it('round-trips when the campaign has no caption default', () => {
    const d = chunkDefaults({ image_url: 'https://cdn.example.com/a.png' });
    const noCaption: SobotImageMessage = { ...plain, url: 'https://cdn.example.com/a.png', mime_type: 'image/png' };
    delete noCaption.caption;
    const withCaption = { ...noCaption, caption: 'Only me' };
    expect(encodeRecipient(noCaption, d)).toEqual(['919970000001', 'Asha']);
    expect(decodeChunk(JSON.stringify([encodeRecipient(noCaption, d), encodeRecipient(withCaption, d)]), d)).toEqual([
      noCaption,
      withCaption,
    ]);
  });
});

describe('outcome codec', () => {
  const failed: Outcome = {
    kind: 'f',
    attempts: 3,
    rounds: 2,
    at: 1_700_000_000_123,
    wamid: '',
    code: '131047',
    message: 'Re-engagement | window closed | try a template',
  };

  it('keeps a message containing | intact', () => {
    expect(decodeOutcome(encodeOutcome(failed))).toEqual(failed);
  });

  it('turns a | in the code into / so the message still starts where it should', () => {
    const o: Outcome = { ...failed, code: 'A|B', message: 'x|y' };
    expect(decodeOutcome(encodeOutcome(o))).toEqual({ ...o, code: 'A/B' });
  });

  it('round-trips a sent outcome with its wamid', () => {
    const o: Outcome = {
      kind: 's',
      attempts: 1,
      rounds: 0,
      at: 1_700_000_000_000,
      wamid: 'wamid.HBgLOTE5OTcwMDAwMDAxFQIAERgSQUJD',
      code: '',
      message: '',
    };
    expect(decodeOutcome(encodeOutcome(o))).toEqual(o);
  });

  it('calls sent and failed terminal, retrying and absent not', () => {
    expect(isTerminal({ ...failed, kind: 's' })).toBe(true);
    expect(isTerminal(failed)).toBe(true);
    expect(isTerminal({ ...failed, kind: 'r' })).toBe(false);
    expect(isTerminal(undefined)).toBe(false);
  });
});
