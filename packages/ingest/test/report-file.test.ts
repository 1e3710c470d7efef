import { REPORT_COLUMNS } from '@sobot/schema';
import { collect } from './helpers';

/** A report as this product writes it (SPEC §17): numbers as their international digits, no `+`. */
function report(numbers: string[]): string {
  const rows = numbers.map((n, i) => `${n},Name ${i},sent,wamid.${i},,,1,2026-12-08T01:00:00.000Z,delivered`);
  return `\uFEFF${REPORT_COLUMNS.join(',')}\r\n${rows.join('\r\n')}\r\n`;
}

describe('a report uploaded back', () => {
  const numbers = ['6591234567', '919876533001', '4791234567'];

  it('keeps its numbers international under any list country (same recipients)', async () => {
    for (const options of [{}, { country: 'IN' }, { validation: { defaultCountryCode: '91' } }]) {
      const { messages, summary } = await collect(report(numbers), options);
      expect(summary.rejected).toBe(0);
      expect(messages.map((m) => m.customer_number)).toEqual(numbers);
    }
  });

  it('as JSON lines too', async () => {
    const ndjson = numbers
      .map((n, i) =>
        JSON.stringify({
          ...Object.fromEntries(REPORT_COLUMNS.map((c) => [c, ''])),
          customer_number: n,
          customer_name: `N${i}`,
          attempts: 1,
        }),
      )
      .join('\n');
    const { messages } = await collect(`${ndjson}\n`, { validation: { defaultCountryCode: '91' } });
    expect(messages.map((m) => m.customer_number)).toEqual(numbers);
  });

  it('a list that only has some of the report columns is read in the list country as before', async () => {
    const { messages } = await collect('customer_number,customer_name,status\n6591234567,A,sent\n', {
      validation: { defaultCountryCode: '91' },
    });
    expect(messages.map((m) => m.customer_number)).toEqual(['916591234567']);
  });
});
