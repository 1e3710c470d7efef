import { normalizeHeader } from './columns';

/**
 * Personal captions (SPEC §11): `{{column}}` takes the row's value of that column, `{{column|fallback}}` the
 * fallback when the cell is empty. Names are compared like headers (`{{Customer Name}}` is `{{customer_name}}`).
 * A `{{` with no `}}` after it is plain text.
 */
export interface CaptionVariable {
  /** As written, for messages. */
  name: string;
  /** normalizeHeader(name): what it is matched by. */
  key: string;
  fallback: string | undefined;
}

export interface CaptionTemplate {
  text: string;
  /** Text and variables in order. */
  parts: Array<string | CaptionVariable>;
  variables: CaptionVariable[];
}

const VARIABLE = /\{\{([^{}|]*)(?:\|([^{}]*))?\}\}/g;

/** The template in `text`, or undefined when it has no variable (a plain caption, sent as written). */
export function parseCaptionTemplate(text: string | undefined): CaptionTemplate | undefined {
  if (!text || !text.includes('{{')) return undefined;
  const parts: CaptionTemplate['parts'] = [];
  const variables: CaptionVariable[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1]!.trim();
    if (name === '') continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    const variable = { name, key: normalizeHeader(name), fallback: match[2]?.trim() };
    parts.push(variable);
    variables.push(variable);
    last = match.index + match[0].length;
  }
  if (variables.length === 0) return undefined;
  if (last < text.length) parts.push(text.slice(last));
  return { text, parts, variables };
}

/**
 * Renders with `valueOf(variable)`: an empty or missing value takes the fallback, or nothing. `onEmpty` hears of
 * each variable that rendered as nothing (no value and no fallback), for the dry run's `empty_variables`.
 */
export function renderCaption(
  template: CaptionTemplate,
  valueOf: (variable: CaptionVariable) => string | undefined,
  onEmpty?: (variable: CaptionVariable) => void,
): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = valueOf(part)?.trim();
    const shown = value ? value : (part.fallback ?? '');
    if (shown === '') onEmpty?.(part);
    out += shown;
  }
  return out;
}
