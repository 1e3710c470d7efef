import fc from 'fast-check';
import { parseCaptionTemplate, renderCaption } from '../src';

describe('caption templates', () => {
  it('renders variables by normalised name, with fallbacks for empty values', () => {
    const t = parseCaptionTemplate('Hi {{ Customer Name }}, your order {{order-id|(none)}} ships from {{city|}}.')!;
    expect(t.variables.map((v) => [v.name, v.key, v.fallback])).toEqual([
      ['Customer Name', 'customername', undefined],
      ['order-id', 'orderid', '(none)'],
      ['city', 'city', ''],
    ]);
    const values: Record<string, string> = { customername: 'Asha', orderid: ' ', city: 'Pune' };
    expect(renderCaption(t, (v) => values[v.key])).toBe('Hi Asha, your order (none) ships from Pune.');
  });

  it('tells which variables rendered as nothing: a fallback, even an empty value with one, is something', () => {
    const t = parseCaptionTemplate('Hi {{name}} from {{city}}{{area|, there}}{{note|}}!')!;
    const empty: string[] = [];
    const text = renderCaption(
      t,
      (v) => ({ name: 'Asha', city: ' ' })[v.key],
      (v) => empty.push(v.name),
    );
    expect(text).toBe('Hi Asha from , there!');
    expect(empty).toEqual(['city', 'note']);
  });

  it('leaves text without a complete {{name}} as it is', () => {
    for (const text of ['plain', 'a {{ b', '{{}}', 'x }} y', '{{|fallback}}'])
      expect(parseCaptionTemplate(text)).toBeUndefined();
  });

  it('property: text around variables is kept exactly, each variable replaced by its value', () => {
    const text = fc.string({ maxLength: 20 }).filter((s) => !s.includes('{') && !s.includes('}'));
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _]{0,10}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(text, name, text), { minLength: 1, maxLength: 5 }), (parts) => {
        const source = parts.map(([a, n, b]) => `${a}{{${n}}}${b}`).join('');
        const t = parseCaptionTemplate(source)!;
        const rendered = renderCaption(t, (v) => `<${v.name}>`);
        expect(rendered).toBe(parts.map(([a, n, b]) => `${a}<${n.trim()}>${b}`).join(''));
      }),
    );
  });
});
