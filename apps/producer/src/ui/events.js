// The campaign page's event endpoints panel (SPEC §16): each endpoint's health (last success, failing since,
// backlog, lag, failed kept) with a button that replays its failed deliveries. Same rules as app.js: the /v1 API
// with the page session cookie, every value reaches the DOM as text.
'use strict';

(() => {
  const REFRESH_MS = 5000;
  const $ = (id) => document.getElementById(id);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  async function callJson(path, init = {}) {
    const res = await fetch(path, {
      ...init,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && body.error && body.error.message) || `HTTP ${res.status}`);
    return body;
  }

  const ago = (iso) => {
    if (!iso) return 'never';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 90) return `${s} s ago`;
    if (s < 5400) return `${Math.round(s / 60)} min ago`;
    return `${Math.round(s / 3600)} h ago`;
  };

  function state(health) {
    if (health.disabled_at) return ['disabled', `disabled by a 410 ${ago(health.disabled_at)}`];
    if (health.failing_since) return ['failing', `failing since ${ago(health.failing_since)}`];
    return ['healthy', 'healthy'];
  }

  async function replay(ep, button, note) {
    button.disabled = true;
    note.textContent = 'replaying…';
    try {
      const r = await callJson(`/v1/event-endpoints/${encodeURIComponent(ep.id)}/replay`, {
        method: 'POST',
        body: JSON.stringify({ since: new Date(0).toISOString() }),
      });
      note.textContent = `${r.replayed} failed deliveries sent again`;
    } catch (err) {
      note.textContent = `replay failed: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }

  function row(ep, health) {
    const [cls, label] = state(health);
    const note = h('span', { class: 'muted small', 'data-testid': 'event-replay-note' });
    const button = h(
      'button',
      { type: 'button', 'data-testid': 'event-replay', disabled: health.failed_kept === 0 && !health.disabled_at },
      health.disabled_at ? 'Replay failed and enable' : 'Replay failed',
    );
    button.addEventListener('click', () => replay(ep, button, note));
    return h(
      'li',
      { class: `event-endpoint ${cls}`, 'data-testid': 'event-endpoint', 'data-endpoint': ep.id },
      h('strong', {}, ep.url),
      ' ',
      h('span', { class: `badge ${cls}`, 'data-testid': 'event-state' }, label),
      h(
        'p',
        { class: 'small', 'data-testid': 'event-health' },
        `last success ${ago(health.last_success_at)} · backlog ${health.backlog}` +
          (health.backlog > 0 ? ` (oldest ${Math.round(health.lag_ms / 1000)} s)` : '') +
          ` · failed kept ${health.failed_kept} · delivered ${health.succeeded}` +
          (health.last_status !== null ? ` · last answer ${health.last_status}` : '') +
          (health.last_error ? ` · last error ${health.last_error}` : ''),
      ),
      button,
      ' ',
      note,
    );
  }

  async function refresh() {
    const list = $('event-endpoints');
    const status = $('events-status');
    if (!list) return;
    try {
      const { endpoints } = await callJson('/v1/event-endpoints');
      const healths = await Promise.all(
        endpoints.map((ep) => callJson(`/v1/event-endpoints/${encodeURIComponent(ep.id)}/health`).catch(() => null)),
      );
      const items = endpoints.map((ep, i) => (healths[i] ? row(ep, healths[i]) : null)).filter(Boolean);
      // Keep a note being shown (a replay's answer) until the next refresh after it.
      list.replaceChildren(...items);
      status.textContent = endpoints.length === 0 ? 'No event endpoints (POST /v1/event-endpoints adds one).' : '';
    } catch (err) {
      status.textContent = `event endpoints: ${err.message}`;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    void refresh();
    setInterval(() => void refresh(), REFRESH_MS);
  });
})();
