import {
  CAPTION_MAX,
  checkCaption,
  fieldForHeader,
  mimeFromUrl,
  validateDefaults,
  validateRecipient,
  type CampaignDefaults,
  type RecipientResult,
} from '../src';

const DEFAULTS: CampaignDefaults = { image_url: 'https://cdn.example.com/promo.jpg', caption: 'Diwali offer' };
const ROW = { customer_number: '+91 99700 00001', customer_name: ' Asha Rao ' };

function ok(result: RecipientResult) {
  if (!result.ok) throw new Error(`expected a valid row, got ${JSON.stringify(result.errors)}`);
  return result.message;
}

function errors(result: RecipientResult) {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.message)}`);
  return result.errors;
}

describe('validateRecipient', () => {
  it('fills a bare row from the campaign defaults, inferring the mime type', () => {
    expect(ok(validateRecipient(ROW, DEFAULTS))).toStrictEqual({
      type: 'image',
      url: 'https://cdn.example.com/promo.jpg',
      mime_type: 'image/jpeg',
      customer_number: '919970000001',
      customer_name: 'Asha Rao',
      caption: 'Diwali offer',
    });
  });

  it('keeps every override of the row', () => {
    const m = ok(
      validateRecipient(
        { ...ROW, url: ' https://img.example.com/a.png ', mime_type: 'IMAGE/PNG', caption: 'Just for you' },
        DEFAULTS,
      ),
    );
    expect(m).toMatchObject({ url: 'https://img.example.com/a.png', mime_type: 'image/png', caption: 'Just for you' });
  });

  it('treats blank cells as absent: the default applies', () => {
    expect(ok(validateRecipient({ ...ROW, url: '  ', mime_type: '', caption: ' ' }, DEFAULTS))).toMatchObject({
      url: DEFAULTS.image_url,
      mime_type: 'image/jpeg',
      caption: 'Diwali offer',
    });
  });

  it('leaves the caption out when neither the row nor the campaign has one', () => {
    const m = ok(validateRecipient(ROW, { image_url: 'https://cdn.example.com/promo.png' }));
    expect(m).not.toHaveProperty('caption');
    expect(m.mime_type).toBe('image/png');
  });

  it.each([
    ['https://cdn.example.com/A.JPG', 'image/jpeg'],
    ['https://cdn.example.com/a.Jpeg', 'image/jpeg'],
    ['https://cdn.example.com/a.png?v=2&size=large', 'image/png'],
    ['https://cdn.example.com/a.jpg#top', 'image/jpeg'],
  ])('infers the mime type of %p from its extension', (url, mime) => {
    expect(mimeFromUrl(url)).toBe(mime);
    expect(ok(validateRecipient({ ...ROW, url }, {})).mime_type).toBe(mime);
  });

  it('does not infer a type from a query string or an unknown extension', () => {
    expect(mimeFromUrl('https://cdn.example.com/image?name=a.jpg')).toBeUndefined();
    expect(mimeFromUrl('https://cdn.example.com/a.gif')).toBeUndefined();
    expect(errors(validateRecipient({ ...ROW, url: 'https://cdn.example.com/render?id=7' }, {}))).toEqual([
      { field: 'mime_type', message: expect.stringMatching(/infer/) },
    ]);
  });

  it("takes a row URL's own type before the campaign's mime_type", () => {
    const d = { image_url: 'https://cdn.example.com/promo.jpg', mime_type: 'image/jpeg' };
    expect(ok(validateRecipient({ ...ROW, url: 'https://cdn.example.com/b.png' }, d)).mime_type).toBe('image/png');
  });

  it('rejects a mime type other than jpeg or png', () => {
    expect(errors(validateRecipient({ ...ROW, mime_type: 'image/gif' }, DEFAULTS))).toEqual([
      { field: 'mime_type', message: expect.stringMatching(/image\/jpeg or image\/png/) },
    ]);
  });

  it('allows a caption of 1024 characters and refuses 1025, counting code points (an emoji is one)', () => {
    const emoji = '🎉';
    expect(emoji.length).toBe(2);
    expect(ok(validateRecipient({ ...ROW, caption: emoji.repeat(CAPTION_MAX) }, DEFAULTS)).caption).toHaveLength(2048);
    expect(ok(validateRecipient({ ...ROW, caption: 'x'.repeat(1024) }, DEFAULTS)).caption).toHaveLength(1024);
    expect(errors(validateRecipient({ ...ROW, caption: 'x'.repeat(1025) }, DEFAULTS))).toEqual([
      { field: 'caption', message: expect.stringMatching(/at most 1024 characters \(got 1025\)/) },
    ]);
    expect(errors(validateRecipient({ ...ROW, caption: `${'x'.repeat(1023)}${emoji}${emoji}` }, DEFAULTS))).toEqual([
      { field: 'caption', message: expect.stringMatching(/got 1025/) },
    ]);
    expect(checkCaption(emoji.repeat(1025))).toMatch(/got 1025/);
  });

  it('rejects an ftp URL and a relative one', () => {
    expect(errors(validateRecipient({ ...ROW, url: 'ftp://files.example.com/a.jpg' }, DEFAULTS))).toEqual([
      { field: 'url', message: expect.stringMatching(/http or https.*ftp/) },
    ]);
    expect(errors(validateRecipient({ ...ROW, url: 'images/a.jpg' }, DEFAULTS))).toEqual([
      { field: 'url', message: expect.stringMatching(/absolute/) },
    ]);
  });

  it('requires a URL when the campaign has none', () => {
    expect(errors(validateRecipient(ROW, {}))).toEqual([{ field: 'url', message: expect.stringMatching(/required/) }]);
  });

  it('requires a name unless asked to fall back to the number', () => {
    for (const customer_name of [undefined, '', '   ']) {
      const row = { customer_number: '919970000001', customer_name };
      expect(errors(validateRecipient(row, DEFAULTS))).toEqual([{ field: 'customer_name', message: 'is required' }]);
      expect(ok(validateRecipient(row, DEFAULTS, { nameFallbackToNumber: true })).customer_name).toBe('919970000001');
    }
  });

  it('reports every bad field of a row at once', () => {
    const fields = errors(
      validateRecipient(
        { customer_number: '12', url: 'ftp://x/a.jpg', caption: 'x'.repeat(2000) },
        {},
        { nameFallbackToNumber: true },
      ),
    ).map((e) => e.field);
    expect(fields).toEqual(['customer_number', 'customer_name', 'url', 'caption']);
  });

  it('applies DEFAULT_COUNTRY_CODE to national numbers', () => {
    expect(
      ok(validateRecipient({ ...ROW, customer_number: '09970000001' }, DEFAULTS, { defaultCountryCode: '91' }))
        .customer_number,
    ).toBe('919970000001');
  });
});

describe('validateDefaults', () => {
  it('checks the campaign defaults once', () => {
    expect(validateDefaults(DEFAULTS)).toEqual([]);
    expect(
      validateDefaults({ image_url: 'ftp://x/a.jpg', mime_type: 'image/webp', caption: 'y'.repeat(1025) }).map(
        (e) => e.field,
      ),
    ).toEqual(['image_url', 'mime_type', 'caption']);
  });
});

describe('fieldForHeader', () => {
  it.each([
    ['Phone', 'customer_number'],
    ['\uFEFFcustomer_number', 'customer_number'],
    ['Customer Name', 'customer_name'],
    ['customer-name', 'customer_name'],
    ['IMAGE_URL', 'url'],
    ['MSISDN', 'customer_number'],
    ['notes', undefined],
  ])('%p → %p', (header, field) => {
    expect(fieldForHeader(header)).toBe(field);
  });
});
