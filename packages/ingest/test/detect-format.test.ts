import { fieldForHeader } from '@sobot/schema';
import { detectDelimiter, PHONE_HEADERS, sniffFormat } from '../src';

describe('sniffFormat', () => {
  it.each([
    ['[{"phone": "1"}]', 'json'],
    ['  \n [\n', 'json'],
    ['{"recipients": [{"phone": "1"}]}', 'json'],
    ['{\n  "recipients": [\n', 'json'],
    ['{"phone": "1"}\n{"phone": "2"}\n', 'ndjson'],
    ['{"phone": "1"}', 'ndjson'],
    ['{"phone": "1", "recipients": 3}\n', 'json'],
    ['phone,name\n1,2\n', 'csv'],
    ['"phone";"name"\n', 'csv'],
    ['', 'csv'],
  ])('%j is %s', (head, format) => {
    expect(sniffFormat(head)).toBe(format);
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['phone,name,caption', ','],
    ['phone;name;caption', ';'],
    ['phone\tname\tcaption', '\t'],
    ['"a,b,c";"d,e";f', ';'],
    ['phone;name,x;caption', ';'],
    ['phone', ','],
    ['a,b\n;;;;;', ','],
  ])('%j → %j', (header, delimiter) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });
});

it('names exactly the headers the schema takes for the phone number', () => {
  for (const name of PHONE_HEADERS) expect(fieldForHeader(name)).toBe('customer_number');
});
