import { collect } from './helpers';

/** The `timezone` column (quiet hours, SPEC §10): an IANA name kept with the recipient, anything else a row error. */
describe('timezone column', () => {
  it('CSV: `Time Zone` / `tz` headers, the name Intl knows, an empty cell left to the number', async () => {
    const csv = 'phone,name,Time Zone\n919970000001,Asha,america/mexico_city\n919970000002,Bala,\n';
    const { messages, summary } = await collect(csv);
    expect(messages.map((m) => m.timezone)).toEqual(['America/Mexico_City', undefined]);
    expect(summary.columns?.timezone).toBe('Time Zone');
    const tz = await collect('phone,name,tz\n919970000003,Chitra,Europe/London\n');
    expect(tz.messages[0]?.timezone).toBe('Europe/London');
  });

  it('JSON: a `timezone` key; a bad zone is a row error naming the field', async () => {
    const json = JSON.stringify([
      { phone: '919970000001', name: 'Asha', timezone: 'Asia/Tokyo' },
      { phone: '919970000002', name: 'Bala', timezone: 'Atlantis/Capital' },
      { phone: '919970000003', name: 'Chitra', timezone: 'PST' },
    ]);
    const { messages, summary } = await collect(json);
    expect(messages.map((m) => [m.customer_number, m.timezone])).toEqual([['919970000001', 'Asia/Tokyo']]);
    expect(summary.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'timezone'],
      [3, 'timezone'],
    ]);
    expect(summary.errors[0]?.message).toMatch(/"Atlantis\/Capital" is not a time zone: use an IANA name/);
  });
});
