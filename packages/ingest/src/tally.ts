import {
  validateRecipient,
  type CampaignDefaults,
  type FieldError,
  type RawRecipient,
  type RowError,
  type SobotImageMessage,
  type ValidationOptions,
} from '@sobot/schema';
import type { IngestSummary } from './errors';
import { NumberSet, numberKey } from './number-set';

export type RecipientSink = (message: SobotImageMessage, row: number) => void | Promise<void>;

/** Valid messages kept for the dry run's `preview`. */
export const PREVIEW_SIZE = 5;

export interface TallyOptions {
  /** The campaign's image_url / mime_type / caption, taken by every empty cell. */
  defaults: CampaignDefaults;
  validation?: ValidationOptions;
  /** Refuse the whole file (STRICT_REJECTED) if any row is invalid. */
  strict?: boolean;
  /** Most row errors listed (each bad field of a row is one); the counts stay exact. Default 1000. */
  maxErrors?: number;
  /** Gets each new valid recipient in file order, with its 1-based data row; a returned promise is awaited. */
  sink: RecipientSink;
  /** The header (or JSON key) naming the phone column, when the file has several that could be. */
  phoneColumn?: string;
  /** The header naming the name column. */
  nameColumn?: string;
}

export const DEFAULT_MAX_ERRORS = 1000;

/**
 * Characters of rejected rows' original cells kept per upload (for the rejected-rows download, which carries them
 * so that the rows can be fixed and uploaded again). Rows past it keep their error without their cells.
 */
export const REJECTED_CELLS_MAX_CHARS = 16 * 2 ** 20;

/** A rejected row's cells as the file had them (CSV and .xlsx), by its data row. */
export interface RejectedCells {
  row: number;
  cells: string[];
}

/** What a reader (Table, JsonRecipients) hands rows to: the Tally, or the country survey. */
export interface Rows {
  /** `empty`: the caption variables this row rendered as nothing. */
  add(
    raw: RawRecipient,
    row: number,
    line: number,
    empty?: readonly string[],
    cells?: readonly string[],
  ): void | Promise<void>;
  /** `cells`: the row as the file has it (CSV and .xlsx), kept with a rejected row. */
  reject(row: number, line: number, errors: FieldError[], cells?: readonly string[]): void;
}

/** Validates, de-duplicates and counts rows in file order, and hands each new valid recipient to the sink. */
export class Tally implements Rows {
  private total = 0;
  private accepted = 0;
  private rejected = 0;
  private duplicates = 0;
  private readonly errors: RowError[] = [];
  private readonly rejectedCells: RejectedCells[] = [];
  /** What REJECTED_CELLS_MAX_CHARS still allows. */
  private cellsBudget = REJECTED_CELLS_MAX_CHARS;
  private readonly preview: SobotImageMessage[] = [];
  /** Accepted numbers per country (ISO 3166 alpha-2). */
  private readonly countries = new Map<string, number>();
  /** The defaults rows are validated with: without the caption when the caption is a template (rendered per row). */
  private defaults: CampaignDefaults;
  /**
   * Starts small (16 KiB) and doubles as numbers come: sized for 64k numbers up front it took 1 MiB per upload, so a
   * burst of small uploads held a GiB of tables (SPEC §22, BENCHMARKS.md "burst").
   */
  private readonly numbers = new NumberSet(1024);
  private readonly maxErrors: number;
  private readonly validation: ValidationOptions;
  /** Accepted rows whose caption rendered a variable as nothing, by variable; undefined without a template. */
  private emptyVariables: Map<string, number> | undefined;
  /** False once a strict file has a bad row: whatever follows would only be thrown away. */
  private sinking = true;

  constructor(private readonly options: TallyOptions) {
    this.maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
    this.validation = options.validation ?? {};
    this.defaults = options.defaults;
  }

  /** Rows carry their own rendered caption: an empty one must not fall back to the template's text. */
  captionIsTemplate(): void {
    this.defaults = { ...this.options.defaults, caption: undefined };
    this.emptyVariables = new Map();
  }

  /**
   * Returns the sink's promise when it made one, so that a sync sink costs no promise per row. `empty`: the caption
   * variables this row rendered as nothing.
   */
  add(
    raw: RawRecipient,
    row: number,
    line: number,
    empty?: readonly string[],
    cells?: readonly string[],
  ): void | Promise<void> {
    this.total++;
    const result = validateRecipient(raw, this.defaults, this.validation);
    if (!result.ok) {
      this.countRejected(row, line, result.errors, cells);
      return;
    }
    if (!this.numbers.add(numberKey(result.message.customer_number))) {
      this.duplicates++;
      return;
    }
    this.accepted++;
    if (empty && this.emptyVariables) {
      for (const name of new Set(empty)) this.emptyVariables.set(name, (this.emptyVariables.get(name) ?? 0) + 1);
    }
    this.countries.set(result.country, (this.countries.get(result.country) ?? 0) + 1);
    if (this.preview.length < PREVIEW_SIZE) this.preview.push(result.message);
    if (this.sinking) return this.options.sink(result.message, row);
  }

  reject(row: number, line: number, errors: FieldError[], cells?: readonly string[]): void {
    this.total++;
    this.countRejected(row, line, errors, cells);
  }

  summary(): IngestSummary {
    return {
      total: this.total,
      accepted: this.accepted,
      rejected: this.rejected,
      duplicates: this.duplicates,
      errors: [...this.errors],
      preview: [...this.preview],
      ...(this.emptyVariables ? { empty_variables: Object.fromEntries(this.emptyVariables) } : {}),
      ...(this.rejectedCells.length > 0 ? { rejected_cells: [...this.rejectedCells] } : {}),
      countries: Object.fromEntries([...this.countries].sort(([, a], [, b]) => b - a)),
    };
  }

  private countRejected(row: number, line: number, errors: FieldError[], cells?: readonly string[]): void {
    this.rejected++;
    if (this.options.strict) this.sinking = false;
    if (cells && this.errors.length < this.maxErrors) this.keepCells(row, cells);
    for (const { field, message } of errors) {
      if (this.errors.length >= this.maxErrors) return;
      this.errors.push({ row, line, field, message });
    }
  }

  private keepCells(row: number, cells: readonly string[]): void {
    const size = cells.reduce((n, c) => n + c.length + 1, 0);
    if (size > this.cellsBudget) return;
    this.cellsBudget -= size;
    this.rejectedCells.push({ row, cells: [...cells] });
  }
}
