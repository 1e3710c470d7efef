// The campaign page (SPEC §5 /ui): vanilla ES2020, no framework, no build step. It talks to the same
// /v1 API as everyone else, with the bearer token the server put in <meta name="api-token">.
// Every value from the API reaches the DOM as text (append / textContent / setAttribute), never as markup.
'use strict';

(() => {
  const TOKEN = document.querySelector('meta[name="api-token"]').getAttribute('content') || '';
  const REFRESH_MS = 1000;
  const STATUSES = ['queued', 'running', 'paused', 'cancelled', 'completed'];
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
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details;
    }
  }

  async function call(path, init = {}) {
    try {
      return await fetch(path, {
        ...init,
        cache: 'no-store',
        headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' },
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'the producer did not answer (network error)');
    }
  }

  /** The API's {error:{code,message,details}} as an ApiError; anything else as its HTTP status. */
  async function failure(res) {
    const body = await res.json().catch(() => null);
    const e = body && body.error;
    if (e && typeof e.message === 'string') return new ApiError(res.status, e.code, e.message, e.details);
    return new ApiError(res.status, `HTTP_${res.status}`, `HTTP ${res.status} ${res.statusText}`.trim());
  }

  async function callJson(path, init) {
    const res = await call(path, init);
    if (!res.ok) throw await failure(res);
    return res.json();
  }

  /** Fetches a file with the bearer token and hands it to the browser's download through a blob URL. */
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

  function rowErrorTable(errors) {
    return h(
      'table',
      { class: 'row-errors', 'data-testid': 'row-errors' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Row'),
          h('th', { scope: 'col' }, 'Field'),
          h('th', { scope: 'col' }, 'Problem'),
        ),
      ),
      h(
        'tbody',
        null,
        ...errors.map((e) => h('tr', null, h('td', null, e.row), h('td', null, e.field), h('td', null, e.message))),
      ),
    );
  }

  function uploadSummary(r) {
    const title = r.dry_run ? `Dry run of “${r.name}”: nothing was stored or sent.` : `Campaign “${r.name}” created.`;
    const shown = r.errors.slice(0, 10);
    const stat = (label, value, testid) =>
      h('div', null, h('dt', null, label), h('dd', { 'data-testid': testid }, num(value)));
    return h(
      'div',
      { class: 'ok', 'data-testid': 'upload-ok' },
      h('p', null, h('strong', null, title)),
      r.dry_run ? null : h('p', { class: 'muted small' }, 'ID ', h('span', { 'data-testid': 'upload-id' }, r.id)),
      h(
        'dl',
        { class: 'stats' },
        stat('Rows read', r.total, 'upload-total'),
        stat('Accepted', r.accepted, 'upload-accepted'),
        stat('Rejected', r.rejected, 'upload-rejected'),
        stat('Duplicates', r.duplicates, 'upload-duplicates'),
      ),
      shown.length
        ? h(
            'p',
            null,
            r.rejected > shown.length ? `First ${shown.length} of ${num(r.rejected)} rejected rows:` : 'Rejected rows:',
          )
        : null,
      shown.length ? rowErrorTable(shown) : null,
    );
  }

  function uploadError(err) {
    // details: a list of {row?, field, message}, or a summary whose `errors` is one.
    const d = err.details;
    const list = Array.isArray(d) ? d : d && Array.isArray(d.errors) ? d.errors : [];
    const rows = list.filter((e) => e && typeof e.message === 'string').slice(0, 10);
    return h(
      'div',
      { class: 'error', role: 'alert', 'data-testid': 'upload-error' },
      h(
        'p',
        null,
        h('strong', null, 'Upload refused: '),
        h('span', { 'data-testid': 'upload-error-message' }, err.message),
      ),
      err.code ? h('p', { class: 'muted' }, `Error code ${err.code}`) : null,
      rows.length
        ? rowErrorTable(
            rows.map((d) => ({ row: d.row === undefined ? '' : d.row, field: d.field || '', message: d.message })),
          )
        : null,
    );
  }

  function showUpload(node) {
    result.replaceChildren(node);
    result.hidden = false;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = $('file').files[0];
    if (!file) return showUpload(uploadError(new ApiError(0, '', 'choose a recipient list file first')));
    // Fields before the file: the server applies the fields it has seen when the file starts.
    const data = new FormData();
    for (const key of ['name', 'image_url', 'mime_type', 'caption']) {
      const value = $(key).value;
      if (value.trim() !== '') data.append(key, value);
    }
    if ($('name_fallback').checked) data.append('name_fallback', 'number');
    data.append('file', file, file.name);
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const r = await callJson(`/v1/campaigns${$('dry_run').checked ? '?dry_run=true' : ''}`, {
        method: 'POST',
        body: data,
      });
      showUpload(uploadSummary(r));
      if (!r.dry_run) {
        $('file').value = '';
        void refresh();
      }
    } catch (err) {
      showUpload(uploadError(err));
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  // ---- Campaign cards --------------------------------------------------------------------------

  const list = $('campaigns');
  const listStatus = $('list-status');
  /** id → card; cards are built once and updated in place, so buttons stay put under the pointer. */
  const cards = new Map();

  function createCard(id) {
    const c = { id, view: null, busy: false, buttons: {} };
    const stat = (label, testid) => {
      const dd = h('dd', { 'data-testid': testid });
      return [h('div', null, h('dt', null, label), dd), dd];
    };
    const stats = [
      ['sent', 'Sent'],
      ['failed', 'Failed'],
      ['pending', 'Pending'],
      ['cancelled', 'Cancelled'],
      ['rate', 'Rate'],
      ['eta', 'ETA'],
    ].map(([key, label]) => {
      const [wrap, dd] = stat(label, key);
      c[key] = dd;
      return wrap;
    });
    c.name = h('h3', { id: `name-${id}`, class: 'name', 'data-testid': 'name' });
    c.status = h('span', { class: 'badge', 'data-testid': 'status' });
    c.bar = h('div', { class: 'bar' });
    c.progress = h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-labelledby': `name-${id}`,
        'data-testid': 'progress',
      },
      c.bar,
    );
    c.percent = h('span', { class: 'percent', 'data-testid': 'percent' });
    c.rows = h('p', { class: 'muted', 'data-testid': 'rows' });
    c.content = h('p', { class: 'muted small content', 'data-testid': 'content' });
    c.delivery = h('p', { class: 'muted', 'data-testid': 'delivery' });
    c.reason = h('p', { class: 'reason', role: 'note', 'data-testid': 'paused-reason', hidden: true });
    c.failBody = h('tbody');
    c.failures = h(
      'table',
      { class: 'failures', 'data-testid': 'failures', hidden: true },
      h('caption', null, 'Failure reasons'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Code'),
          h('th', { scope: 'col' }, 'Count'),
          h('th', { scope: 'col' }, 'Message'),
        ),
      ),
      c.failBody,
    );
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
    c.buttons.report = h(
      'button',
      { type: 'button', class: 'link', 'aria-describedby': `name-${id}`, 'data-testid': 'btn-report' },
      'Download report (CSV)',
    );
    c.buttons.report.addEventListener('click', () => save(c, 'report'));
    c.buttons.rejected = h(
      'button',
      { type: 'button', class: 'link', 'aria-describedby': `name-${id}`, 'data-testid': 'btn-rejected' },
      'Download rejected rows (CSV)',
    );
    c.buttons.rejected.addEventListener('click', () => save(c, 'rejected'));
    c.created = h('p', { class: 'muted small' });

    c.root = h(
      'article',
      { class: 'card', 'data-testid': `campaign-${id}`, 'data-id': id, 'aria-labelledby': `name-${id}` },
      h('div', { class: 'card-head' }, c.name, c.status),
      h('p', { class: 'muted small' }, `ID ${id}`),
      h('div', { class: 'progress-row' }, c.progress, c.percent),
      h('dl', { class: 'stats' }, ...stats),
      c.reason,
      c.rows,
      c.content,
      c.delivery,
      c.failures,
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Campaign actions' },
        ...ACTIONS.map(([a]) => c.buttons[a]),
      ),
      h('div', { class: 'downloads' }, c.buttons.report, c.buttons.rejected),
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

    const { total, sent, failed, cancelled, pending } = v.counts;
    const done = sent + failed + cancelled;
    const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
    c.bar.style.width = `${pct}%`;
    c.progress.setAttribute('aria-valuemax', String(total));
    c.progress.setAttribute('aria-valuenow', String(done));
    c.progress.setAttribute('aria-valuetext', `${num(done)} of ${num(total)} done (${pct} %)`);
    c.percent.textContent = `${pct} % · ${num(done)} of ${num(total)}`;

    c.sent.textContent = num(sent);
    c.failed.textContent = num(failed);
    // Quiet hours: part of the pending ones wait for their local morning (or whatever the span says).
    const waiting = v.counts.waiting ?? 0;
    c.pending.textContent = waiting > 0 ? `${num(pending)} (${num(waiting)} in quiet hours)` : num(pending);
    if (v.waiting_until && waiting > 0) c.pending.title = `the first may go at ${v.waiting_until}`;
    else c.pending.removeAttribute('title');
    c.cancelled.textContent = num(cancelled);
    // The rate is averaged over the last seconds: once a campaign has ended it is history, not "current".
    c.rate.textContent = status === 'running' || status === 'paused' ? `${v.rate} msg/s` : '—';
    c.eta.textContent = duration(v.eta_seconds);

    c.reason.hidden = !v.paused_reason;
    c.reason.textContent = v.paused_reason ? `Paused by the system: ${v.paused_reason}` : '';
    const r = v.rows;
    c.rows.textContent =
      `${plural(r.total, 'row')} read: ${num(r.accepted)} accepted, ` +
      `${num(r.rejected)} rejected, ${plural(r.duplicates, 'duplicate')}`;
    c.content.hidden = !v.image_url && !v.caption;
    c.content.textContent = [v.image_url ? `Image ${v.image_url}` : '', v.caption ? `Caption “${v.caption}”` : '']
      .filter(Boolean)
      .join(' · ');
    const { delivered, read, delivery_failed: dFailed } = v.counts;
    c.delivery.hidden = delivered + read + dFailed === 0;
    c.delivery.textContent =
      `Delivery receipts: ${num(delivered)} delivered, ` + `${num(read)} read, ${num(dFailed)} failed`;

    c.failures.hidden = v.failure_reasons.length === 0;
    c.failBody.replaceChildren(
      ...v.failure_reasons.map((f) =>
        h(
          'tr',
          { 'data-testid': `failure-${f.code}` },
          h('td', null, h('code', null, f.code)),
          h('td', null, num(f.count)),
          h('td', null, f.message),
        ),
      ),
    );
    c.created.textContent =
      `Created ${when(v.created_at)}` + `${v.completed_at ? ` · finished ${when(v.completed_at)}` : ''}`;
    updateButtons(c);
  }

  function updateButtons(c) {
    const s = c.view.status;
    const b = c.buttons;
    b.pause.disabled = c.busy || !(s === 'queued' || s === 'running');
    b.resume.disabled = c.busy || s !== 'paused';
    b.cancel.disabled = c.busy || !(s === 'queued' || s === 'running' || s === 'paused');
    b['retry-failed'].disabled = c.busy || s === 'cancelled' || c.view.counts.failed === 0;
    b.rejected.disabled = c.view.rows.rejected === 0;
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
      const view = await callJson(`/v1/campaigns/${encodeURIComponent(c.id)}/${action}`, { method: 'POST' });
      updateCard(c, view);
      note(c, action === 'retry-failed' ? `${num(view.reset || 0)} failed recipients queued again.` : '');
    } catch (err) {
      note(c, `Could not ${action.replace('-', ' ')}: ${err.message}`, true);
    } finally {
      c.busy = false;
      updateButtons(c);
    }
  }

  async function save(c, what) {
    const path = `/v1/campaigns/${encodeURIComponent(c.id)}/${what}?format=csv`;
    try {
      await download(path, `${what}-${c.id}.csv`);
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
    $('empty').hidden = campaigns.length > 0;
  }

  // ---- Refresh loop: one request at a time, the next one a second after the last answer ---------

  let timer;
  let inFlight = false;
  let again = false;

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    clearTimeout(timer);
    try {
      const body = await callJson('/v1/campaigns');
      render(body.campaigns);
      listStatus.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      listStatus.classList.remove('error');
    } catch (err) {
      listStatus.textContent = `Could not refresh: ${err.message}`;
      listStatus.classList.add('error');
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        void refresh();
      } else {
        timer = setTimeout(refresh, REFRESH_MS);
      }
    }
  }

  void refresh();
})();
