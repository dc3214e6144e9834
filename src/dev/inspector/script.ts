/**
 * The inspector's list (plain browser JavaScript, run after the shared
 * I18N_SCRIPT): rows as they arrive, search and filters, keyboard navigation,
 * clear and export, and a feed that survives a dev-server restart.
 */
import { INSPECTOR_STRINGS } from './strings.js';
import { DETAIL_SCRIPT } from './detail.js';

const LIST_SCRIPT = String.raw`
const $ = (s) => document.querySelector(s);
const API = '/__wxmp/api';
const MAX = Number(document.body.dataset.max) || 200;
const listEl = $('#list');
let rows = []; // newest first: { s: summary, gone: boolean }
let selected = null;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function tag(cls, key) { return el('span', 'tag ' + cls, wx.t(key)); }
function flags(s) {
  return {
    rejected: !!(s.verdict && !s.verdict.ok),
    error: !!s.error || (s.status >= 400 && !(s.verdict && !s.verdict.ok)),
    late: !!s.late || !!s.lateReply,
    replayed: !!s.replayOf,
  };
}
function group(s) {
  if (s.lateReply) return 'late';
  if (s.kind === 'verify') return 'verify';
  if (s.kind === 'other') return 'other';
  return /^event /.test(s.type) ? 'event' : 'message';
}
function matches(r) {
  const s = r.s, f = flags(s);
  const type = $('#ftype').value, status = $('#fstatus').value, q = $('#q').value.trim().toLowerCase();
  if (type && group(s) !== type) return false;
  if (status === 'ok' && (f.rejected || f.error)) return false;
  if (status && status !== 'ok' && !f[status]) return false;
  if (q && ![s.type, s.content, s.reply, s.user, s.account, s.error, s.path, s.verdict && s.verdict.reason].join(' ').toLowerCase().includes(q)) return false;
  return true;
}
function rowFor(r) {
  const s = r.s, f = flags(s);
  const tr = el('tr');
  tr.dataset.id = s.id;
  tr.tabIndex = -1;
  tr.setAttribute('aria-selected', String(s.id === selected));
  tr.className = Object.keys(f).filter((k) => f[k]).concat(r.gone ? ['gone'] : []).join(' ');
  tr.append(el('td', '', wx.time(s.time)));
  const type = el('td');
  if (f.replayed) type.append(el('span', 't-replayed', '↻ '));
  type.append(s.lateReply ? wx.t('lateReply') : s.type);
  tr.append(type);
  tr.append(el('td', '', s.content));
  const reply = el('td');
  if (r.gone) reply.append(tag('', 'goneTag'));
  if (f.rejected) reply.append(tag('t-rejected', 'rejected'));
  if (f.error) reply.append(tag('t-error', 'error'));
  if (f.late) reply.append(tag('t-late', 'late'));
  reply.append(s.error && !s.reply ? s.error : s.reply);
  reply.title = f.rejected ? s.verdict.reason : (s.error || s.reply || '');
  tr.append(reply);
  tr.append(el('td', 'num', wx.ms(s.durationMs)));
  tr.append(el('td', '', s.mode || ''));
  tr.addEventListener('click', () => open(s.id, false));
  return tr;
}
function render() {
  const shown = rows.filter(matches);
  listEl.replaceChildren(...shown.map(rowFor));
  const focusable = listEl.querySelector('tr[aria-selected=true]') || listEl.firstElementChild;
  if (focusable) focusable.tabIndex = 0;
  $('#empty').hidden = shown.length > 0;
  $('#empty').textContent = rows.length ? wx.t('noMatch') : wx.t('empty');
  $('#count').textContent = rows.length ? wx.t('rows', { shown: shown.length, total: rows.length }) : '';
}
function upsert(s, atTop) {
  const i = rows.findIndex((r) => r.s.id === s.id);
  if (i >= 0) rows[i] = { s, gone: false };
  else if (atTop) rows.unshift({ s, gone: false });
  else rows.push({ s, gone: false });
  // Trimmed like the server's store: what the server forgot would only be a dead row.
  if (rows.length > MAX) rows.length = MAX;
}
async function reload() {
  const res = await fetch(API + '/exchanges');
  const list = await res.json();
  const have = new Set(list.map((s) => s.id));
  const old = rows.filter((r) => !have.has(r.s.id)).map((r) => ({ s: r.s, gone: true }));
  rows = list.map((s) => ({ s, gone: false })).concat(old).sort((a, b) => b.s.time - a.s.time).slice(0, MAX);
  render();
}
function markGone(id) {
  const r = rows.find((x) => x.s.id === id);
  if (r && !r.gone) { r.gone = true; render(); }
}

// Keyboard: arrows move between rows (one tab stop for the list), Enter opens, Escape goes back.
listEl.addEventListener('keydown', (e) => {
  const tr = e.target.closest('tr');
  if (!tr) return;
  const all = [...listEl.children];
  const i = all.indexOf(tr);
  const go = (j) => { const next = all[Math.max(0, Math.min(all.length - 1, j))]; if (next) { tr.tabIndex = -1; next.tabIndex = 0; next.focus(); } };
  if (e.key === 'ArrowDown') { e.preventDefault(); go(i + 1); }
  else if (e.key === 'ArrowUp') { e.preventDefault(); go(i - 1); }
  else if (e.key === 'Home') { e.preventDefault(); go(0); }
  else if (e.key === 'End') { e.preventDefault(); go(all.length - 1); }
  else if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(tr.dataset.id, true); }
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && document.body.classList.contains('open')) closeDetail();
});
function closeDetail() {
  document.body.classList.remove('open');
  const tr = listEl.querySelector('tr[data-id="' + CSS.escape(selected || '') + '"]');
  if (tr) { tr.tabIndex = 0; tr.focus(); }
}
for (const id of ['#q', '#ftype', '#fstatus']) $(id).addEventListener('input', render);
$('#clear').addEventListener('click', async () => {
  await fetch(API + '/exchanges', { method: 'DELETE' });
  rows = []; selected = null;
  $('#detail').replaceChildren(el('p', 'muted', wx.t('cleared')));
  render();
});
$('#export').addEventListener('click', async () => {
  const lines = [];
  for (const r of rows.filter(matches)) {
    const res = r.gone ? null : await fetch(API + '/exchanges/' + encodeURIComponent(r.s.id));
    lines.push(JSON.stringify(res && res.ok ? await res.json() : r.s));
  }
  const a = el('a');
  a.href = URL.createObjectURL(new Blob([lines.join('\n') + (lines.length ? '\n' : '')], { type: 'application/x-ndjson' }));
  a.download = 'wxmp-exchanges.jsonl';
  document.body.append(a); a.click(); a.remove();
});

function setConn(state) {
  const c = $('#conn');
  c.dataset.state = state;
  c.className = 'conn' + (state === 'live' ? '' : ' down');
  c.textContent = state === 'live' ? '● ' + wx.t('live') : wx.t('reconnecting');
  document.body.dataset.conn = state;
}
wx.init(STRINGS);
wx.onLang(() => { render(); setConn($('#conn').dataset.state || 'reconnecting'); if (selected && document.querySelector('#detail [data-id]')) open(selected, false); });
setConn('reconnecting');
wx.live(API + '/events', {
  hello: () => {},
  exchange: (s) => { upsert(s, true); render(); },
  update: (s) => { upsert(s, true); render(); },
  clear: () => { rows = []; render(); },
}, (state, back) => {
  setConn(state);
  // Back after a restart or a drop: what happened meanwhile is on the server, not in the feed.
  if (state === 'live') reload().then(() => {
    document.body.dataset.ready = '';
    // A link from the chat page names the entry: /__wxmp#<id>.
    if (!selected && location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)), true);
  });
});
window.addEventListener('hashchange', () => { if (location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)), true); });
`;

/** The whole script, with its strings. */
export const INSPECTOR_SCRIPT = `const STRINGS = ${JSON.stringify(INSPECTOR_STRINGS).replace(/</g, '\\u003c')};\n${LIST_SCRIPT}\n${DETAIL_SCRIPT}`;
