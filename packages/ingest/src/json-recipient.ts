import {
  fieldForHeader,
  normalizeHeader,
  renderCaption,
  type CaptionTemplate,
  type ColumnsUsed,
  type FieldError,
  type RawRecipient,
  type RecipientField,
  textProblem,
} from '@sobot/schema';
import { ambiguous, type ColumnChoice } from './columns';
import { isPlainObject } from './detect-format';
import { isReportHeader, reportNumber } from './report-file';
import type { Rows } from './tally';

/**
 * Turns JSON values (array elements, NDJSON lines) into recipients. Keys go through the same aliases as CSV
 * headers; numbers are taken as their decimal text (a number that lost digits in JSON is a row error); null means
 * an empty cell. An object with two keys that could be the phone is refused like a CSV header with two.
 */
export class JsonRecipients {
  /** Whether any object so far had a key for the phone number: if none did, the file has no phone "column". */
  sawPhoneKey = false;
  /** The first key seen for each field, for the upload answer. */
  readonly used: ColumnsUsed = {
    customer_number: null,
    customer_name: null,
    url: null,
    mime_type: null,
    caption: null,
    timezone: null,
  };
  /** Caption variables some object had a key for: one no object had is an unknown variable. */
  readonly variablesSeen = new Set<string>();
  private readonly fields = new Map<string, RecipientField | null>();
  private readonly phoneKey: string | undefined;
  private readonly nameKey: string | undefined;

  constructor(
    private readonly tally: Rows,
    choice: ColumnChoice,
    private readonly template: CaptionTemplate | undefined,
  ) {
    this.phoneKey = choice.phoneColumn && normalizeHeader(choice.phoneColumn);
    this.nameKey = choice.nameColumn && normalizeHeader(choice.nameColumn);
  }

  add(value: unknown, row: number, line: number): void | Promise<void> {
    if (!isPlainObject(value)) {
      this.tally.reject(row, line, [{ field: 'row', message: `must be a JSON object (got ${describeType(value)})` }]);
      return;
    }
    const raw: RawRecipient = {};
    let errors: FieldError[] | undefined;
    let phoneKeys = 0;
    for (const key in value) {
      const field = this.fieldFor(key);
      if (!field) continue;
      if (field === 'customer_number') {
        this.sawPhoneKey = true;
        phoneKeys++;
      }
      if (raw[field] !== undefined) continue;
      this.used[field] ??= key;
      const cell = value[key];
      if (typeof cell === 'string') raw[field] = cell;
      else if (typeof cell === 'number') {
        if (field === 'customer_number' && Number.isInteger(cell) && !Number.isSafeInteger(cell)) {
          (errors ??= []).push({
            field,
            message: `is a JSON number above 2^53 (${cell}): its last digits were lost; send numbers as strings`,
          });
        } else raw[field] = String(cell);
      } else if (cell !== null)
        (errors ??= []).push({ field, message: `must be a string or a number (got ${describeType(cell)})` });
    }
    if (phoneKeys > 1) throw ambiguous(Object.keys(value).filter((k) => this.fieldFor(k) === 'customer_number'));
    // A row of this product's report (json / ndjson format): its number is international (report-file.ts).
    if ('wamid' in value && isReportHeader(Object.keys(value))) raw.customer_number = reportNumber(raw.customer_number);
    if (errors) {
      this.tally.reject(row, line, errors);
      return;
    }
    const t = this.template;
    if (t && !(raw.caption && raw.caption.trim())) {
      let bad: FieldError | undefined;
      let empty: string[] | undefined;
      raw.caption = renderCaption(
        t,
        (v) => {
          const found = lookup(value, v.key);
          if (found !== undefined) this.variablesSeen.add(v.key);
          const problem = found === undefined ? undefined : textProblem(found);
          if (problem) bad ??= { field: v.name, message: problem };
          return found;
        },
        (v) => (empty ??= []).push(v.name),
      );
      // A key the caption takes text from is checked like the fields themselves, and named.
      if (bad) return this.tally.reject(row, line, [bad]);
      return this.tally.add(raw, row, line, empty);
    }
    return this.tally.add(raw, row, line);
  }

  /** fieldForHeader once per distinct key, with the phone_column / name_column choice; bounded cache. */
  private fieldFor(key: string): RecipientField | undefined {
    const known = this.fields.get(key);
    if (known !== undefined) return known ?? undefined;
    let field = fieldForHeader(key) ?? null;
    const normal = this.phoneKey || this.nameKey ? normalizeHeader(key) : '';
    if (this.phoneKey) {
      if (normal === this.phoneKey) field = 'customer_number';
      else if (field === 'customer_number') field = null;
    }
    if (this.nameKey) {
      if (normal === this.nameKey) field = 'customer_name';
      else if (field === 'customer_name') field = null;
    }
    if (this.fields.size < 1000) this.fields.set(key, field);
    return field ?? undefined;
  }
}

/** A caption variable's value in one object: the key of that name, or the key of the field it stands for. */
function lookup(value: Record<string, unknown>, key: string): string | undefined {
  let fallback: unknown;
  for (const k in value) {
    const normal = normalizeHeader(k);
    if (normal === key) return text(value[k]);
    if (fallback === undefined && fieldForHeader(k) !== undefined && fieldForHeader(k) === fieldForHeader(key))
      fallback = value[k];
  }
  return text(fallback);
}

function text(v: unknown): string | undefined {
  if (v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
