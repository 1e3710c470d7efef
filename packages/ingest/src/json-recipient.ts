import { fieldForHeader, type FieldError, type RawRecipient, type RecipientField } from '@sobot/schema';
import { isPlainObject } from './detect-format';
import type { Tally } from './tally';

/**
 * Turns JSON values (array elements, NDJSON lines) into recipients. Keys go through the same aliases as CSV
 * headers; numbers are taken as their decimal text; null means an empty cell.
 */
export class JsonRecipients {
  /** Whether any object so far had a key for the phone number: if none did, the file has no phone "column". */
  sawPhoneKey = false;
  private readonly fields = new Map<string, RecipientField | null>();

  constructor(private readonly tally: Tally) {}

  add(value: unknown, row: number): void | Promise<void> {
    if (!isPlainObject(value)) {
      this.tally.reject(row, [{ field: 'row', message: `must be a JSON object (got ${describeType(value)})` }]);
      return;
    }
    const raw: RawRecipient = {};
    let errors: FieldError[] | undefined;
    for (const key in value) {
      const field = this.fieldFor(key);
      if (!field) continue;
      if (field === 'customer_number') this.sawPhoneKey = true;
      if (raw[field] !== undefined) continue;
      const cell = value[key];
      if (typeof cell === 'string') raw[field] = cell;
      else if (typeof cell === 'number') raw[field] = String(cell);
      else if (cell !== null)
        (errors ??= []).push({ field, message: `must be a string or a number (got ${describeType(cell)})` });
    }
    if (errors) {
      this.tally.reject(row, errors);
      return;
    }
    return this.tally.add(raw, row);
  }

  /** fieldForHeader once per distinct key; the cache is bounded for files whose keys never repeat. */
  private fieldFor(key: string): RecipientField | undefined {
    const known = this.fields.get(key);
    if (known !== undefined) return known ?? undefined;
    const field = fieldForHeader(key) ?? null;
    if (this.fields.size < 1000) this.fields.set(key, field);
    return field ?? undefined;
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
