// The campaign page (SPEC §5 /ui): vanilla ES2020, no framework, no build step. It talks to the same
// /v1 API as everyone else, authorised by the page session: an HttpOnly cookie set with the page (no token here).
// Every value from the API reaches the DOM as text (append / textContent / setAttribute), never as markup.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const STATUSES = ['scheduled', 'queued', 'running', 'paused', 'cancelled', 'completed'];
  /** Campaigns the list shows at first; "load older campaigns" adds as many again. */
  const PAGE = 50;
  /** The lanes panel (transactional summary, scheduled count) refreshes every this many list refreshes. */
  const LANES_EVERY = 3;
  /** The progress bar's segments, in order: finished recipients by outcome (pending is the empty rest). */
  const SEGMENTS = [
    ['sent', 'sent'],
    ['failed', 'failed'],
    ['skipped', 'skipped'],
    ['cancelled', 'cancelled'],
  ];
  const ACTIONS = [
    ['pause', 'Pause'],
    ['resume', 'Resume'],
    ['cancel', 'Cancel'],
    ['retry-failed', 'Retry failed'],
  ];
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat();
  const num = (n) => numberFormat.format(n);
  const plural = (n, word) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

  /** An element with attributes (set with setAttribute) and children (nodes, or strings as text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return `${seconds} s`;
    const m = Math.floor(seconds / 60);
    if (m < 60) return `${m} min ${seconds % 60} s`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

  // ---- API -------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, details, hint) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details;
      this.hint = hintText(hint);
    }
  }

  async function call(path, init = {}) {
    try {
      return await fetch(path, {
        ...init,
        cache: 'no-store',
        // The session cookie goes with same-origin requests only; the server also checks Origin/Sec-Fetch-Site.
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'the producer did not answer (network error)');
    }
  }

  /** The API's {error:{code,message,details}} as an ApiError; anything else as its HTTP status. */
  async function failure(res) {
    const body = await res.json().catch(() => null);
    const e = body && body.error;
    if (e && typeof e.message === 'string') {
      return new ApiError(res.status, e.code, e.message, e.details, e.error_hint ?? body.error_hint);
    }
    return new ApiError(res.status, `HTTP_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim());
  }

  async function callJson(path, init) {
    const res = await call(path, init);
    if (!res.ok) throw await failure(res);
    return res.json();
  }

  // Log out: ends the page session (the cookie stops working at once); loading the page again starts a new one.
  let loggedOut = false;
  $('logout').addEventListener('click', async () => {
    loggedOut = true;
    await call('/v1/page-session', { method: 'DELETE' }).catch(() => undefined);
    document.body.replaceChildren(
      h(
        'p',
        { class: 'logged-out', 'data-testid': 'logged-out' },
        'Logged out. ',
        h('a', { href: '/ui' }, 'Open the page again'),
      ),
    );
  });

  /** Fetches a file with the page session and hands it to the browser's download through a blob URL. */
  async function download(path, fallbackName) {
    const res = await call(path);
    if (!res.ok) throw await failure(res);
    const match = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: match ? match[1] : fallbackName, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  // ---- Upload ----------------------------------------------------------------------------------

  const form = $('upload-form');
  const result = $('upload-result');
  const submit = form.querySelector('button[type="submit"]');

  /**
   * The line a spreadsheet shows for a row error: the API's `line`, else data row n under a header on line
   * `headerLine` (1 unless the answer says another) is line n + headerLine.
   */
  function spreadsheetLine(e, headerLine) {
    if (Number.isInteger(e.line)) return e.line;
    if (Number.isInteger(e.row)) return e.row + headerLine;
    return '';
  }

  function rowErrorTable(errors, headerLine) {
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'row-errors', 'data-testid': 'row-errors' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col', title: 'the line number your spreadsheet shows' }, 'Line'),
            h('th', { scope: 'col' }, 'Field'),
            h('th', { scope: 'col' }, 'Problem'),
          ),
        ),
        h(
          'tbody',
          null,
          ...errors.map((e) =>
            h(
              'tr',
              { 'data-testid': 'row-error' },
              h('td', { 'data-testid': 'row-error-line' }, spreadsheetLine(e, headerLine)),
              h('td', null, e.field || ''),
              h('td', null, e.message, hintNode(e.error_hint)),
            ),
          ),
        ),
      ),
    );
  }

  /**
   * The API's `error_hint` next to a code (SPEC §13 codes, skip reasons): a plain sentence and what to do. A string,
   * or an object whose text parts are shown in order; null when there is none (the caller shows the title).
   */
  function hintText(hint) {
    if (typeof hint === 'string') return hint.trim();
    if (hint && typeof hint === 'object') {
      return Object.values(hint)
        .filter((v) => typeof v === 'string' && v.trim() !== '')
        .join(' ');
    }
    return '';
  }

  function hintNode(hint) {
    const t = hintText(hint);
    return t ? h('span', { class: 'hint-text', 'data-testid': 'hint' }, t) : null;
  }

  function uploadSummary(r) {
    const title = r.dry_run ? `Dry run of “${r.name}”: nothing was stored or sent.` : `Campaign “${r.name}” created.`;
    const errors = Array.isArray(r.errors) ? r.errors : [];
    const shown = errors.slice(0, 10);
    const headerLine = Number.isInteger(r.header_row) ? r.header_row : 1;
    const stat = (label, value, testid) =>
      h('div', null, h('dt', null, label), h('dd', { 'data-testid': testid }, num(value ?? 0)));
    return h(
      'div',
      { class: 'ok', 'data-testid': 'upload-ok' },
      h('p', null, h('strong', null, title)),
      r.dry_run ? null : h('p', { class: 'muted small' }, 'ID ', h('span', { 'data-testid': 'upload-id' }, r.id)),
      r.status === 'scheduled' ? h('p', { class: 'scheduled' }, 'Scheduled: nothing is sent before its time.') : null,
      h(
        'dl',
        { class: 'stats' },
        stat('Rows read', r.total, 'upload-total'),
        stat('Accepted', r.accepted, 'upload-accepted'),
        stat('Rejected', r.rejected, 'upload-rejected'),
        stat('Duplicates', r.duplicates, 'upload-duplicates'),
      ),
      columnsLine(r),
      emptyVariables(r.empty_variables),
      countriesLine(r),
      shown.length
        ? h(
            'p',
            null,
            r.rejected > shown.length ? `First ${shown.length} of ${num(r.rejected)} rejected rows:` : 'Rejected rows:',
          )
        : null,
      shown.length ? rowErrorTable(shown, headerLine) : null,
      previewTable(r.preview),
    );
  }

  const FIELD_WORDS = {
    customer_number: 'phone',
    customer_name: 'name',
    url: 'image',
    mime_type: 'image type',
    caption: 'caption',
    timezone: 'time zone',
  };

  /** The header each field was read from (`columns`) and the header row used (`header_row`), when answered. */
  function columnsLine(r) {
    const used = Object.entries(r.columns || {}).filter(([, header]) => typeof header === 'string');
    if (used.length === 0 && !Number.isInteger(r.header_row)) return null;
    return h(
      'p',
      { 'data-testid': 'upload-columns' },
      'Columns used: ',
      ...used.flatMap(([field, header], i) => [
        i ? ' · ' : '',
        `${FIELD_WORDS[field] || field} ← `,
        h('strong', { 'data-testid': `column-${field}` }, header),
      ]),
      Number.isInteger(r.header_row)
        ? h('span', { 'data-testid': 'upload-header-row' }, `${used.length ? ' — ' : ''}header on row ${r.header_row}`)
        : null,
    );
  }

  /** A dry run's first rendered messages (`preview`). */
  function previewTable(preview) {
    if (!Array.isArray(preview) || preview.length === 0) return null;
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'preview', 'data-testid': 'upload-preview' },
        h('caption', null, `The first ${plural(preview.length, 'message')} as they would be sent`),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Number'),
            h('th', { scope: 'col' }, 'Name'),
            h('th', { scope: 'col' }, 'Caption'),
            h('th', { scope: 'col' }, 'Image'),
          ),
        ),
        h(
          'tbody',
          null,
          ...preview.map((m) =>
            h(
              'tr',
              { 'data-testid': 'preview-row' },
              h('td', { 'data-testid': 'preview-number' }, m.customer_number),
              h('td', { 'data-testid': 'preview-name' }, m.customer_name),
              h('td', { class: 'wrap' }, m.caption ?? ''),
              h('td', { class: 'wrap' }, m.url),
            ),
          ),
        ),
      ),
    );
  }

  /** Caption variables some rows render as nothing (`Hi Asha from !`): worth a look before sending. */
  function emptyVariables(counts) {
    const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
    if (entries.length === 0) return null;
    return h(
      'p',
      { 'data-testid': 'upload-empty-variables' },
      'Captions with an empty variable: ',
      entries.map(([name, n]) => `{{${name}}} in ${num(n)} ${n === 1 ? 'row' : 'rows'}`).join(', '),
      ' (add a fallback: {{name|text}}).',
    );
  }

  /** Accepted numbers per country and the country bare numbers were read in (SPEC §20). */
  function countriesLine(r) {
    const entries = Object.entries(r.countries || {});
    if (entries.length === 0 && r.country === undefined) return null;
    const how = {
      option: 'as asked',
      default: 'DEFAULT_COUNTRY_CODE',
      inferred: 'inferred from the file',
    }[r.country_source];
    return h(
      'p',
      { 'data-testid': 'upload-countries' },
      'Countries: ',
      h('span', null, entries.map(([c, n]) => `${c} ${num(n)}`).join(' · ') || 'none'),
      ' — ',
      r.country
        ? h(
            'span',
            null,
            'numbers without + or 00 read in ',
            h('strong', { 'data-testid': 'upload-country' }, r.country),
            how ? ` (${how})` : '',
          )
        : h('span', { 'data-testid': 'upload-country' }, 'no list country: set one to read national numbers'),
    );
  }

  function uploadError(err) {
    // details: a list of {row?, line?, field, message}, or a summary whose `errors` is one.
    const d = err.details;
    const list = Array.isArray(d) ? d : d && Array.isArray(d.errors) ? d.errors : [];
    const rows = list.filter((e) => e && typeof e.message === 'string').slice(0, 10);
    const headerLine = d && Number.isInteger(d.header_row) ? d.header_row : 1;
    return h(
      'div',
      { class: 'error', role: 'alert', 'data-testid': 'upload-error' },
      h(
        'p',
        null,
        h('strong', null, 'Upload refused: '),
        h('span', { 'data-testid': 'upload-error-message' }, err.message),
      ),
      err.hint ? h('p', { 'data-testid': 'upload-error-hint' }, err.hint) : null,
      err.code ? h('p', { class: 'muted' }, `Error code ${err.code}`) : null,
      rows.length ? rowErrorTable(rows, headerLine) : null,
    );
  }

  function showUpload(node) {
    result.replaceChildren(node);
    result.hidden = false;
  }

  /** A 409 DUPLICATE_UPLOAD: who has this list already, and a button that uploads it again with force=true. */
  function duplicateChoice(err) {
    const c = (err.details && err.details.campaign) || {};
    return h(
      'p',
      { 'data-testid': 'upload-duplicate' },
      `The same recipients and message were uploaded as “${c.name || c.id}” (${c.id}) at ${when(c.created_at)}. ` +
        'Sending it again means every recipient gets the message a second time. ',
      forceButton('Send anyway'),
    );
  }

  /** A 409 NO_INBOUND_EVENTS (window=skip with no inbound message in 24 h): upload anyway with force=true. */
  function noInboundChoice() {
    return h(
      'p',
      { 'data-testid': 'upload-no-inbound' },
      'No customer has written in the last 24 hours, so every recipient may be outside the window and skipped ' +
        '(check that inbound messages reach the webhook). ',
      forceButton('Upload anyway'),
    );
  }

  function forceButton(label) {
    const again = h('button', { type: 'button', 'data-testid': 'upload-force' }, label);
    again.addEventListener('click', () => void sendUpload(true));
    return again;
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void sendUpload(false);
  });

  // ---- Advanced options ------------------------------------------------------------------------

  /** The operator's time zone and its offset now, e.g. `Asia/Kolkata (UTC+05:30)`. */
  function zoneText(date) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
    return `${zone} (UTC${offsetText(date)})`;
  }

  /** `+05:30` for the browser's offset at `date` (getTimezoneOffset is minutes behind UTC). */
  function offsetText(date) {
    const minutes = -date.getTimezoneOffset();
    const abs = Math.abs(minutes);
    const pad = (n) => String(n).padStart(2, '0');
    return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  /** A datetime-local value (`2026-05-01T09:30`) as RFC 3339 with the operator's offset at that time. */
  function sendAtValue(local) {
    const date = new Date(local);
    if (Number.isNaN(date.getTime())) return null;
    const pad = (n) => String(n).padStart(2, '0');
    return (
      `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
      `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${offsetText(date)}`
    );
  }

  function showZone() {
    const local = $('send_at').value;
    const date = local ? new Date(local) : new Date();
    $('send-at-zone').textContent = `(your time: ${zoneText(Number.isNaN(date.getTime()) ? new Date() : date)})`;
  }
  $('send_at').addEventListener('input', showZone);
  showZone();

  /** The file's column headers the page knows of: from the API's answers, or read from a text file's header. */
  let knownHeaders = [];

  function fillColumnChoices(headers, candidates) {
    knownHeaders = headers;
    for (const [id, marked] of [
      ['phone_column', candidates],
      ['name_column', []],
    ]) {
      const select = $(id);
      const chosen = select.value;
      select.replaceChildren(
        h('option', { value: '' }, 'found automatically'),
        ...headers.map((name) =>
          h('option', { value: name }, marked.includes(name) ? `${name} (could be the phone)` : name),
        ),
      );
      select.value = headers.includes(chosen) ? chosen : '';
    }
    $('columns-hint').textContent = headers.length
      ? `${plural(headers.length, 'column')} in the file; choose one only if the automatic choice is wrong.`
      : "Found automatically. Run a dry run to list the file's columns and choose.";
  }

  $('file').addEventListener('change', () => fillColumnChoices([], []));

  /** One CSV record's cells (quotes as in RFC 4180), split on `sep`. */
  function splitRecord(line, sep) {
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"' && cell.trim() === '') {
        quoted = true;
        cell = '';
      } else if (ch === sep) {
        cells.push(cell.trim());
        cell = '';
      } else cell += ch;
    }
    cells.push(cell.trim());
    return cells;
  }

  /**
   * The headers of a text list (CSV/TSV, JSON, NDJSON) read from its first 256 KB in the browser: the keys of its
   * first object, or the cells of line `row` (1-based). A workbook's are known only from the API's answers.
   */
  async function headersOfFile(file, row) {
    if (!file || /\.xlsx$/i.test(file.name)) return [];
    const text = (await file.slice(0, 256 * 1024).text()).replace(/^\uFEFF/, '');
    const start = text.trimStart();
    if (start.startsWith('[') || start.startsWith('{')) {
      const m = /\{[^{}]*\}/.exec(start);
      try {
        return m ? Object.keys(JSON.parse(m[0])) : [];
      } catch {
        return [];
      }
    }
    const lines = text.split(/\r?\n/);
    const cellsOf = (line) => {
      const sep = [',', ';', '\t', '|'].reduce((a, b) => (line.split(b).length > line.split(a).length ? b : a));
      return splitRecord(line, sep).filter((c) => c !== '');
    };
    if (row) return lines[row - 1] && lines[row - 1].trim() ? cellsOf(lines[row - 1]) : [];
    // No row named: a title or notes above the header have fewer cells; the first of the widest rows of the first
    // 20 is taken (the server finds its own; this only lists the names to choose from).
    const rows = lines.slice(0, 20).map(cellsOf);
    const widest = Math.max(0, ...rows.map((r) => r.length));
    return rows.find((r) => r.length === widest) || [];
  }

  /**
   * The headers a NO_PHONE_COLUMN message lists, quoted as JSON strings after "the header has" or "line N has"
   * (`… (none in the first 20 lines; line 1 has "name", "Reach on"; …)`), for a workbook's columns.
   */
  function headersInMessage(message) {
    const m = /(?:the header|line \d+) has ((?:"(?:[^"\\]|\\.)*"(?:, )?)+)/.exec(message || '');
    if (!m) return [];
    return (m[1].match(/"(?:[^"\\]|\\.)*"/g) || []).flatMap((q) => {
      try {
        return [JSON.parse(q)];
      } catch {
        return [];
      }
    });
  }

  /** After an answer: the headers the API named (all of them, the candidates or the columns used), else the file's. */
  async function learnColumns(file, answer, err) {
    const details = err && err.details;
    const d = details && typeof details === 'object' && !Array.isArray(details) ? details : {};
    const strings = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
    const candidates = strings(d.candidates);
    let headers = strings((answer && answer.headers) || d.headers);
    if (headers.length === 0) {
      const row = Number((answer && answer.header_row) || d.header_row || $('header_row').value || 0);
      headers = await headersOfFile(file, Number.isInteger(row) && row > 0 ? row : 0).catch(() => []);
    }
    // A workbook the browser cannot read: the header row the producer read, as its refusal lists it.
    if (headers.length === 0 && err && err.code === 'NO_PHONE_COLUMN') headers = headersInMessage(err.message);
    const used = Object.values((answer && answer.columns) || {}).filter((x) => typeof x === 'string');
    for (const name of [...candidates, ...used]) if (!headers.includes(name)) headers.push(name);
    fillColumnChoices(headers, candidates);
  }

  /** `GET /v1/senders`: the sender choice shows only when it answers 200 with senders. */
  async function loadSenders() {
    const field = $('senders-field');
    try {
      const res = await call('/v1/senders');
      const body = res.ok ? await res.json() : null;
      const senders = body && Array.isArray(body.senders) ? body.senders.filter((s) => s && s.id) : [];
      const select = $('senders');
      select.replaceChildren(
        ...senders.map((s) =>
          h(
            'option',
            { value: String(s.id) },
            `${s.id}${s.state && s.state !== 'active' ? ` (${s.state})` : ''}${s.rate ? ` · ${s.rate}/s` : ''}`,
          ),
        ),
      );
      field.hidden = senders.length === 0;
    } catch {
      field.hidden = true;
    }
  }
  void loadSenders();

  /** Multipart fields (before the file) and query flags for the form's options; a refusal for a bad value. */
  function uploadRequest(force) {
    const data = new FormData();
    const query = new URLSearchParams();
    const text = (key) => $(key).value.trim();
    for (const key of ['name', 'image_url', 'mime_type', 'country', 'caption']) {
      const value = $(key).value;
      if (value.trim() !== '') data.append(key, value);
    }
    if ($('name_fallback').checked) data.append('name_fallback', 'number');
    for (const key of ['phone_column', 'name_column', 'format', 'window', 'lane', 'quiet_hours']) {
      if (text(key) !== '') data.append(key, text(key));
    }
    const whole = (key, label, min, max) => {
      const raw = text(key);
      if (raw === '') return null;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${label} must be a whole number ${min}–${max}`);
      return n;
    };
    const headerRow = whole('header_row', 'Header row', 1, 1000);
    if (headerRow !== null) data.append('header_row', String(headerRow));
    const weight = whole('weight', 'Weight', 1, 100);
    if (weight !== null) data.append('weight', String(weight));
    const canary = whole('canary', 'Canary', 1, 10_000_000);
    const canaryMax = whole('canary_max_failure', 'The canary failure share', 0, 100);
    if (canary !== null) data.append('canary', String(canary));
    if (canary !== null && canaryMax !== null) data.append('canary_max_failure_ratio', String(canaryMax / 100));
    if (text('send_at') !== '') {
      const at = sendAtValue(text('send_at'));
      if (!at) throw new Error('Send at is not a date and time');
      data.append('send_at', at);
    }
    const senders = [...$('senders').selectedOptions].map((o) => o.value);
    if (!$('senders-field').hidden && senders.length === 1) data.append('sender', senders[0]);
    if (!$('senders-field').hidden && senders.length > 1) data.append('senders', senders.join(','));
    // Flags go in the query (they are read with the fields): the fields stay well under the server's 20.
    if ($('dry_run').checked) query.set('dry_run', 'true');
    if ($('strict').checked) query.set('strict', 'true');
    if ($('preflight').checked) query.set('preflight', 'true');
    if (force) query.set('force', 'true');
    const qs = query.toString();
    return { data, path: `/v1/campaigns${qs ? `?${qs}` : ''}` };
  }

  async function sendUpload(force) {
    const file = $('file').files[0];
    if (!file) return showUpload(uploadError(new ApiError(0, '', 'choose a recipient list file first')));
    let request;
    try {
      request = uploadRequest(force);
    } catch (err) {
      $('advanced').open = true;
      return showUpload(uploadError(new ApiError(0, '', err.message)));
    }
    // Fields before the file: the server applies the fields it has seen when the file starts.
    request.data.append('file', file, file.name);
    // The last answer goes while this one is read: a stale refusal must not stand for this upload's answer.
    result.replaceChildren();
    result.hidden = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const r = await callJson(request.path, { method: 'POST', body: request.data });
      await learnColumns(file, r, null);
      showUpload(uploadSummary(r));
      if (!r.dry_run) {
        $('file').value = '';
        void refresh();
      }
    } catch (err) {
      await learnColumns(file, null, err);
      const shown = uploadError(err);
      if (err.code === 'DUPLICATE_UPLOAD') shown.append(duplicateChoice(err));
      if (err.code === 'NO_INBOUND_EVENTS') shown.append(noInboundChoice());
      if (/_COLUMN$/.test(err.code || '') && knownHeaders.length) {
        $('advanced').open = true;
        shown.append(h('p', { 'data-testid': 'choose-column' }, 'Choose the column under Advanced → Columns.'));
      }
      showUpload(shown);
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  // ---- Campaign cards --------------------------------------------------------------------------

  const list = $('campaigns');
  const listStatus = $('list-status');
  /** id → card; cards are built once and updated in place, so buttons stay put under the pointer. */
  const cards = new Map();

  /** A table of reasons (`[{code, count, message}]`), hidden while empty. */
  function reasonTable(caption, testid) {
    const body = h('tbody');
    const table = h(
      'table',
      { class: 'failures', 'data-testid': testid, hidden: true },
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Code'),
          h('th', { scope: 'col' }, 'Count'),
          h('th', { scope: 'col' }, 'What happened'),
        ),
      ),
      body,
    );
    return { table, body };
  }

  function fillReasons(r, reasons, rowTestid) {
    const list = Array.isArray(reasons) ? reasons : [];
    r.table.hidden = list.length === 0;
    r.body.replaceChildren(
      ...list.map((f) =>
        h(
          'tr',
          { 'data-testid': `${rowTestid}-${f.code}` },
          h('td', null, h('code', null, f.code)),
          h('td', null, num(f.count ?? 0)),
          h('td', { class: 'wrap' }, f.message ?? '', hintNode(f.error_hint)),
        ),
      ),
    );
  }

  function createCard(id) {
    const c = { id, view: null, busy: false, buttons: {} };
    const stat = (label, testid) => {
      const dd = h('dd', { 'data-testid': testid });
      return [h('div', null, h('dt', null, label), dd), dd];
    };
    const stats = [
      ['sent', 'Sent'],
      ['failed', 'Failed'],
      ['skipped', 'Skipped'],
      ['pending', 'Pending'],
      ['cancelled', 'Cancelled'],
      ['rate', 'Rate'],
      ['eta', 'ETA'],
    ].map(([key, label]) => {
      const [wrap, dd] = stat(label, key);
      wrap.firstChild.className = `key key-${key}`;
      c[key] = dd;
      return wrap;
    });
    c.name = h('h3', { id: `name-${id}`, class: 'name', 'data-testid': 'name' });
    c.status = h('span', { class: 'badge', 'data-testid': 'status' });
    c.segs = {};
    for (const [key] of SEGMENTS) c.segs[key] = h('div', { class: `seg seg-${key}`, 'data-testid': `seg-${key}` });
    c.progress = h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-labelledby': `name-${id}`,
        'data-testid': 'progress',
      },
      ...SEGMENTS.map(([key]) => c.segs[key]),
    );
    c.percent = h('span', { class: 'percent', 'data-testid': 'percent' });
    c.lane = h('p', { class: 'muted small', 'data-testid': 'lane' });
    c.sendAt = h('p', { class: 'scheduled', 'data-testid': 'send-at', hidden: true });
    c.waiting = h('p', { class: 'waiting', 'data-testid': 'waiting', hidden: true });
    c.rows = h('p', { class: 'muted', 'data-testid': 'rows' });
    c.content = h('p', { class: 'muted small content', 'data-testid': 'content' });
    c.delivery = h('p', { class: 'muted', 'data-testid': 'delivery' });
    c.reason = h('p', { class: 'reason', role: 'note', 'data-testid': 'paused-reason', hidden: true });
    c.failures = reasonTable('Failure reasons', 'failures');
    c.skips = reasonTable('Skip reasons', 'skips');
    c.deliveryFailures = reasonTable('Delivery failures', 'delivery-failures');
    c.limited = h('p', { class: 'limited', 'data-testid': 'limited-by', hidden: true });
    c.message = h('p', { class: 'message', 'aria-live': 'polite', 'data-testid': 'card-message' });
    for (const [action, label] of ACTIONS) {
      // Every card has a "Pause": the campaign's name, as description, says which one.
      c.buttons[action] = h(
        'button',
        { type: 'button', 'aria-describedby': `name-${id}`, 'data-testid': `btn-${action}` },
        label,
      );
      c.buttons[action].addEventListener('click', () => act(c, action));
    }
    // The workbook first: it opens right in Excel; the CSV is for programs (SPEC §17).
    c.buttons.reportXlsx = h(
      'button',
      { type: 'button', class: 'link', 'aria-describedby': `name-${id}`, 'data-testid': 'btn-report-xlsx' },
      'Download report (Excel)',
    );
    c.buttons.reportXlsx.addEventListener('click', () => save(c, 'report', 'xlsx'));
    c.buttons.report = h(
      'button',
      { type: 'button', class: 'link', 'aria-describedby': `name-${id}`, 'data-testid': 'btn-report' },
      'Download report (CSV)',
    );
    c.buttons.report.addEventListener('click', () => save(c, 'report', 'csv'));
    c.buttons.rejected = h(
      'button',
      { type: 'button', class: 'link', 'aria-describedby': `name-${id}`, 'data-testid': 'btn-rejected' },
      'Download rejected rows (CSV)',
    );
    c.buttons.rejected.addEventListener('click', () => save(c, 'rejected', 'csv'));
    c.created = h('p', { class: 'muted small' });

    c.root = h(
      'article',
      { class: 'card', 'data-testid': `campaign-${id}`, 'data-id': id, 'aria-labelledby': `name-${id}` },
      h('div', { class: 'card-head' }, c.name, c.status),
      h('p', { class: 'muted small' }, `ID ${id}`),
      c.lane,
      c.sendAt,
      h('div', { class: 'progress-row' }, c.progress, c.percent),
      h('dl', { class: 'stats' }, ...stats),
      c.limited,
      c.reason,
      c.waiting,
      c.rows,
      c.content,
      c.delivery,
      h('div', { class: 'reasons' }, c.failures.table, c.skips.table, c.deliveryFailures.table),
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Campaign actions' },
        ...ACTIONS.map(([a]) => c.buttons[a]),
      ),
      h('div', { class: 'downloads' }, c.buttons.reportXlsx, c.buttons.report, c.buttons.rejected),
      c.message,
      c.created,
    );
    return c;
  }

  function updateCard(c, v) {
    c.view = v;
    const status = STATUSES.includes(v.status) ? v.status : 'unknown';
    c.root.dataset.status = status;
    c.name.textContent = v.name;
    c.status.textContent = v.status;
    c.status.className = `badge badge-${status}`;

    // Fields other releases may lack (skipped, waiting, …) count as 0: the page works with either.
    const counts = v.counts || {};
    const n = (key) => (Number.isFinite(counts[key]) ? counts[key] : 0);
    const [total, sent, failed, skipped, cancelled, pending] = [
      'total',
      'sent',
      'failed',
      'skipped',
      'cancelled',
      'pending',
    ].map(n);
    // The percentage is of recipients finished (sent, failed or skipped). A cancelled campaign's cancelled
    // recipients are shown in the bar, never counted as done: it says where it stopped, not "100 %".
    const finished = sent + failed + skipped;
    const pct = total > 0 ? Math.floor((finished * 100) / total) : status === 'cancelled' ? 0 : 100;
    const share = { sent, failed, skipped, cancelled };
    for (const [key, label] of SEGMENTS) {
      const count = share[key];
      // A share too thin to see still gets a sliver: one failure in 10,000 is not "no failures".
      const width = total > 0 && count > 0 ? Math.max((count * 100) / total, 0.75) : 0;
      c.segs[key].style.width = `${width}%`;
      c.segs[key].title = `${num(count)} ${label}`;
    }
    const doneText = `${num(finished)} of ${num(total)} done`;
    const text = status === 'cancelled' ? `cancelled at ${pct} % · ${doneText}` : `${pct} % · ${doneText}`;
    c.progress.setAttribute('aria-valuemax', String(total));
    c.progress.setAttribute('aria-valuenow', String(finished));
    c.progress.setAttribute(
      'aria-valuetext',
      `${text}: ${num(sent)} sent, ${num(failed)} failed, ${num(skipped)} skipped, ${num(cancelled)} cancelled`,
    );
    c.percent.textContent = text;

    c.sent.textContent = num(sent);
    c.failed.textContent = num(failed);
    c.skipped.textContent = num(skipped);
    c.pending.textContent = num(pending);
    c.cancelled.textContent = num(cancelled);

    const lane = v.lane === 'transactional' ? 'transactional (ahead of bulk)' : v.lane || 'bulk';
    c.lane.textContent = [
      `Lane ${lane}`,
      v.weight ? `weight ${v.weight}` : '',
      v.quiet_hours ? `quiet hours ${v.quiet_hours}` : '',
      v.window === 'skip' ? 'outside the 24-h window: skipped' : '',
    ]
      .filter(Boolean)
      .join(' · ');
    c.sendAt.hidden = !(status === 'scheduled' && v.send_at);
    c.sendAt.textContent = v.send_at ? `Scheduled for ${when(v.send_at)}` : '';
    const waiting = n('waiting');
    c.waiting.hidden = waiting === 0;
    c.waiting.textContent =
      `${plural(waiting, 'recipient')} waiting for quiet hours to end` +
      `${v.waiting_until ? ` (until ${when(v.waiting_until)})` : ''}`;
    // The rate is averaged over the last seconds: shown only while the campaign sends. A paused campaign's last
    // average is history, not "current" (nothing is sent while paused).
    const sending = status === 'running';
    c.rate.textContent = sending && Number.isFinite(v.rate) ? `${v.rate} msg/s` : '—';
    c.eta.textContent = status === 'paused' ? 'paused' : duration(v.eta_seconds);
    const limit = sending ? limitedByText(v.limited_by) : '';
    c.limited.hidden = !limit;
    c.limited.textContent = limit ? `Below the full rate: ${limit}` : '';
    if (limit) c.limited.dataset.limitedBy = v.limited_by;

    c.reason.hidden = !v.paused_reason;
    c.reason.replaceChildren(
      ...(v.paused_reason ? [`Paused by the system: ${v.paused_reason}`, hintNode(v.paused_hint)] : []),
    );
    const r = v.rows || {};
    const rn = (key) => (Number.isFinite(r[key]) ? r[key] : 0);
    c.rows.textContent =
      `${plural(rn('total'), 'row')} read: ${num(rn('accepted'))} accepted, ` +
      `${num(rn('rejected'))} rejected, ${plural(rn('duplicates'), 'duplicate')}` +
      `${rn('suppressed') > 0 ? `, ${num(rn('suppressed'))} suppressed (opted out)` : ''}`;
    c.content.hidden = !v.image_url && !v.caption;
    c.content.textContent = [v.image_url ? `Image ${v.image_url}` : '', v.caption ? `Caption “${v.caption}”` : '']
      .filter(Boolean)
      .join(' · ');
    const [delivered, read, dFailed] = ['delivered', 'read', 'delivery_failed'].map(n);
    c.delivery.hidden = delivered + read + dFailed === 0;
    // Delivery failures by code show in their own table when the API groups them; else the report has the codes.
    const dReasons = Array.isArray(v.delivery_failure_reasons) && v.delivery_failure_reasons.length > 0;
    c.delivery.textContent =
      `Delivery receipts: ${num(delivered)} delivered, ` +
      `${num(read)} read, ${num(dFailed)} failed` +
      `${dFailed > 0 && !dReasons ? ' (each with its code in the report)' : ''}`;

    fillReasons(c.failures, v.failure_reasons, 'failure');
    fillReasons(c.skips, v.skip_reasons, 'skip');
    fillReasons(c.deliveryFailures, v.delivery_failure_reasons, 'delivery-failure');
    c.created.textContent =
      `Created ${when(v.created_at)}` + `${v.completed_at ? ` · finished ${when(v.completed_at)}` : ''}`;
    updateButtons(c);
  }

  /** Why a running campaign sends below SEND_RATE (`limited_by`, SPEC §15), in words; '' when nothing holds it. */
  function limitedByText(reason) {
    const words = {
      in_flight_limit: 'the worker has as many requests in flight as it may (WORKER_MAX_IN_FLIGHT)',
      sender_rate: "the senders' own rates are reached",
      messaging_limit: 'the messaging limit (new conversations per 24 h) is used up; the rest wait for it to free',
      pair_rate: 'messages to the same number must be a few seconds apart (pair rate)',
      quiet_hours: 'recipients are in their quiet hours and wait',
      upstream_throttle: 'WhatsApp/Sobot is throttling (429 or 130429 answers): sending slowed down',
    };
    if (typeof reason !== 'string' || reason === '') return '';
    return words[reason] || reason.replace(/_/g, ' ');
  }

  function updateButtons(c) {
    const s = c.view.status;
    const b = c.buttons;
    b.pause.disabled = c.busy || !(s === 'scheduled' || s === 'queued' || s === 'running');
    b.resume.disabled = c.busy || s !== 'paused';
    b.cancel.disabled = c.busy || !(s === 'scheduled' || s === 'queued' || s === 'running' || s === 'paused');
    b['retry-failed'].disabled = c.busy || s === 'cancelled' || !(c.view.counts && c.view.counts.failed > 0);
    b.rejected.disabled = !(c.view.rows && c.view.rows.rejected > 0);
  }

  function note(c, text, isError) {
    c.message.textContent = text;
    c.message.classList.toggle('error', Boolean(isError));
  }

  async function act(c, action) {
    if (
      action === 'cancel' &&
      !window.confirm(`Cancel campaign “${c.view.name}”? Recipients not sent yet will never be sent.`)
    )
      return;
    c.busy = true;
    updateButtons(c);
    try {
      const path = `/v1/campaigns/${encodeURIComponent(c.id)}/${action}`;
      let view = await callJson(path, { method: 'POST' });
      if (action === 'retry-failed') {
        let retried = view.retried || view.reset || 0;
        if (riskyLeft(view) > 0 && window.confirm(retryAllQuestion(view))) {
          view = await callJson(`${path}?include=all`, { method: 'POST' });
          retried += view.retried || 0;
        }
        updateCard(c, view);
        note(c, `${num(retried)} failed recipients queued again.${leftText(view)}`);
      } else {
        updateCard(c, view);
        note(c, '');
      }
    } catch (err) {
      note(c, `Could not ${action.replace('-', ' ')}: ${err.message}`, true);
    } finally {
      c.busy = false;
      updateButtons(c);
    }
  }

  /** Failures a default retry-failed left that include=all would take. */
  function riskyLeft(view) {
    const left = view.left || {};
    return (left.permanent || 0) + (left.no_wamid || 0);
  }

  /** The codes retry-failed left for `reason`, e.g. `131026 ×3, 131047 ×1`. */
  function leftCodes(view, reason) {
    return Object.entries(view.by_code || {})
      .filter(([, c]) => c.reason === reason && c.left > 0)
      .map(([code, c]) => `${code} ×${num(c.left)}`)
      .join(', ');
  }

  function retryAllQuestion(view) {
    const left = view.left || {};
    const parts = [
      `${num(view.retried || 0)} failed recipients can be queued again; ${num(riskyLeft(view))} were left failed:`,
    ];
    if (left.permanent)
      parts.push(
        `• ${num(left.permanent)} refused for good by WhatsApp (${leftCodes(view, 'permanent')}): ` +
          'sending again will most likely fail again.',
      );
    if (left.no_wamid)
      parts.push(
        `• ${num(left.no_wamid)} answered without a message id: ` +
          'they may already have reached their customer, who would get the message twice.',
      );
    parts.push('Send these again too?');
    return parts.join('\n');
  }

  /** What retry-failed left and why, for the card's note ('' when nothing). */
  function leftText(view) {
    const left = view.left || {};
    const words = {
      permanent: 'refused for good',
      no_wamid: 'answered without a message id (may have been sent)',
      marketing_limit: 'marketing limit (131049) within 24 h',
    };
    const parts = Object.keys(words)
      .filter((r) => left[r] > 0)
      .map((r) => `${num(left[r])} ${words[r]} (${leftCodes(view, r)})`);
    return parts.length ? ` Left failed: ${parts.join('; ')}.` : '';
  }

  async function save(c, what, format) {
    const path = `/v1/campaigns/${encodeURIComponent(c.id)}/${what}?format=${format}`;
    try {
      await download(path, `${what}-${c.id}.${format}`);
      note(c, '');
    } catch (err) {
      note(c, `Download failed: ${err.message}`, true);
    }
  }

  function render(campaigns) {
    const seen = new Set();
    let previous = null;
    for (const v of campaigns) {
      seen.add(v.id);
      let c = cards.get(v.id);
      if (!c) {
        c = createCard(v.id);
        cards.set(v.id, c);
      }
      updateCard(c, v);
      // Keep the API's order (newest first), moving nodes only when it changed.
      const expected = previous ? previous.root.nextSibling : list.firstChild;
      if (expected !== c.root) list.insertBefore(c.root, expected);
      previous = c;
    }
    for (const [id, c] of cards) {
      if (!seen.has(id)) {
        c.root.remove();
        cards.delete(id);
      }
    }
    const empty = $('empty');
    empty.hidden = campaigns.length > 0;
    empty.textContent = filter ? `No ${filter} campaigns.` : 'No campaigns yet: upload a recipient list above.';
    // Recipients held by quiet hours, in the campaigns shown, and the earliest time one of them may go.
    let waiting = 0;
    let until = '';
    for (const v of campaigns) {
      const w = v.counts && Number.isFinite(v.counts.waiting) ? v.counts.waiting : 0;
      waiting += w;
      if (w > 0 && v.waiting_until && (!until || v.waiting_until < until)) until = v.waiting_until;
    }
    $('waiting-count').textContent = num(waiting);
    $('bulk-note').textContent = waiting > 0 && until ? `The first waiting recipients may go at ${when(until)}.` : '';
  }

  // ---- Lanes panel: the transactional summary and the count of scheduled campaigns --------------

  const txFields = ['sent', 'failed', 'skipped', 'pending'];

  async function refreshLanes() {
    const [summary, scheduled] = await Promise.allSettled([
      callJson('/v1/messages/summary'),
      callJson('/v1/campaigns?status=scheduled&limit=200'),
    ]);
    const txNote = $('tx-note');
    if (summary.status === 'fulfilled') {
      const s = summary.value || {};
      const n = (key) => (Number.isFinite(s[key]) ? s[key] : 0);
      for (const key of txFields) $(`tx-${key}`).textContent = num(n(key));
      txNote.textContent = `${plural(n('accepted'), 'message')} accepted since ${when(s.since)}`;
      txNote.classList.remove('error');
    } else {
      txNote.textContent = `Could not load the summary: ${summary.reason.message}`;
      txNote.classList.add('error');
    }
    if (scheduled.status === 'fulfilled') {
      const body = scheduled.value || {};
      const count = Array.isArray(body.campaigns) ? body.campaigns.length : 0;
      $('scheduled-count').textContent = `${num(count)}${body.next_cursor ? '+' : ''}`;
    }
  }

  // ---- Refresh loop: one request at a time, the next one a second after the last answer ---------

  const filterSelect = $('status-filter');
  const loadMore = $('load-more');
  /** The status filter ('' = all) and how many campaigns the list shows (the newest ones). */
  let filter = '';
  let wanted = PAGE;
  /** Bumped when the filter changes: an answer to an older question is not rendered. */
  let generation = 0;

  /** The `wanted` newest campaigns (with the filter), following next_cursor page by page. */
  async function fetchList() {
    const campaigns = [];
    let cursor = null;
    for (let requests = 0; requests < 20; requests += 1) {
      const q = new URLSearchParams({ limit: String(Math.min(200, wanted - campaigns.length)) });
      if (filter) q.set('status', filter);
      if (cursor) q.set('cursor', cursor);
      const body = await callJson(`/v1/campaigns?${q}`);
      campaigns.push(...body.campaigns);
      cursor = typeof body.next_cursor === 'string' ? body.next_cursor : null;
      if (!cursor || campaigns.length >= wanted) break;
    }
    return { campaigns, more: cursor !== null };
  }

  let timer;
  let inFlight = false;
  let again = false;
  let rounds = 0;

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    const asked = generation;
    try {
      const lanes = rounds % LANES_EVERY === 0 ? refreshLanes() : null;
      rounds += 1;
      const { campaigns, more } = await fetchList();
      await lanes;
      if (asked === generation) {
        render(campaigns);
        loadMore.hidden = !more;
        $('shown-count').textContent =
          `${plural(campaigns.length, 'campaign')} shown${more ? '; older ones exist' : ''}`;
        listStatus.textContent = `Updated ${new Date().toLocaleTimeString()}`;
        listStatus.classList.remove('error');
      }
    } catch (err) {
      listStatus.textContent = `Could not refresh: ${err.message}`;
      listStatus.classList.add('error');
    } finally {
      inFlight = false;
      loadMore.disabled = false;
      if (again) {
        again = false;
        void refresh();
      } else if (!loggedOut) {
        timer = setTimeout(refresh, REFRESH_MS);
      }
    }
  }

  loadMore.addEventListener('click', () => {
    wanted += PAGE;
    loadMore.disabled = true;
    void refresh();
  });

  filterSelect.addEventListener('change', () => {
    filter = filterSelect.value;
    wanted = PAGE;
    generation += 1;
    void refresh();
  });

  void refresh();
})();
