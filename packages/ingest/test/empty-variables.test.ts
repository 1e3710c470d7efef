/** SPEC §20: an upload tells how many recipients' captions render a variable as nothing (`Hi Asha from !`). */
import ExcelJS from 'exceljs';
import { collect } from './helpers';

const defaults = { image_url: 'https://cdn.example.com/a.jpg', caption: 'Hi {{name}} from {{city}}! {{area|there}}' };

const rows = [
  ['phone', 'name', 'city', 'area'],
  ['919970000001', 'Asha', '', 'Kothrud'], // city empty
  ['919970000002', 'Bala', 'Pune', ''], // area empty: its fallback fills it
  ['919970000003', '', '', ''], // name and city empty
  ['919970000001', 'Asha again', '', ''], // a duplicate: not sent, not counted
  ['12', 'Bad number', '', ''], // invalid: not sent, not counted
  ['919970000004', 'Dev', 'Goa', 'Baga'],
];

describe('empty caption variables', () => {
  it('counts sent rows that render each variable as nothing, in CSV, JSON and .xlsx', async () => {
    const csv = rows.map((r) => r.join(',')).join('\n');
    const json = JSON.stringify(rows.slice(1).map(([phone, name, city, area]) => ({ phone, name, city, area })));
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('List');
    for (const r of rows) sheet.addRow(r.map((c, i) => (i === 0 && /^\d+$/.test(c) && r !== rows[0] ? Number(c) : c)));
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    for (const file of [csv, json, xlsx]) {
      // A row without a name is sent with its number as the name (name_fallback=number);
      // its caption's {{name}} is empty.
      const { summary } = await collect(file, { defaults, validation: { nameFallbackToNumber: true } });
      expect(summary.accepted).toBe(4);
      expect(summary.empty_variables).toEqual({ city: 2, name: 1 });
    }
  });

  it('answers {} when every row fills every variable, and nothing without a template', async () => {
    const csv = 'phone,name\n919970000001,Asha\n';
    expect((await collect(csv, { defaults: { ...defaults, caption: 'Hi {{name}}' } })).summary.empty_variables).toEqual(
      {},
    );
    expect((await collect(csv, { defaults: { ...defaults, caption: 'Hi' } })).summary.empty_variables).toBeUndefined();
  });
});
