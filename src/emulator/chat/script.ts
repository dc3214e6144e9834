/**
 * The chat page's script (plain browser JavaScript, no build step): sends what
 * the user does, renders replies as WeChat shows them, and listens for
 * customer-service messages and menu changes over a feed that reconnects by
 * itself. All URLs are relative to the page. Parts: render.ts, history.ts,
 * compose.ts.
 */
import { I18N_SCRIPT } from '../../dev/pages/i18n.js';
import { COMPOSE_SCRIPT } from './compose.js';
import { HISTORY_SCRIPT } from './history.js';
import { RENDER_SCRIPT } from './render.js';
import { CHAT_STRINGS } from './strings.js';

const CORE = String.raw`
const $ = (s) => document.querySelector(s);
const log = $('#log');
const state = { account: '', accounts: [], user: '', mode: '', users: [], modes: [], menu: null, upload: false, inspector: null };
// Suffix of what is kept per account: none for the first, so its history and settings stay where they were.
function accountKey() { return state.account && state.account !== 'default' ? '@' + state.account : ''; }

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function scroll() { log.scrollTop = log.scrollHeight; }
`;

const SEND = String.raw`
async function send(action, content) {
  const entry = { kind: 'me', content };
  const row = record(entry);
  const pending = note(wx.t('sending'));
  let data;
  try {
    const res = await fetch('send', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Object.assign({ account: state.account, mode: state.mode, user: state.user }, action)) });
    data = await res.json();
  } catch (e) {
    data = { error: e.message };
  }
  pending.remove();
  const v = data.verdict;
  // Not sent, as WeChat marks a message that did not go out: a red mark by the bubble.
  if (data.error || (v && v.kind === 'unreachable')) {
    entry.failed = true; saveHistory(history); markFailed(row);
    if (data.error) return record({ kind: 'note', key: 'refused', vars: { error: data.error }, cls: 'handler-error' }), data;
  }
  if (v.ok && v.kind === 'reply') record({ kind: 'reply', msgType: v.msgType, fields: v.fields });
  else if (v.ok) {
    const handler = (data.tries || []).map((t) => t.handler).find(Boolean);
    const ex = data.exchange;
    const href = ex && state.inspector ? state.inspector + '#' + ex.id : undefined;
    if (handler === 'error') record(ex && ex.error ? { kind: 'note', key: 'threw', vars: { error: ex.error }, cls: 'handler-error', href } : { kind: 'note', key: 'threwNoDetail', cls: 'handler-error', href });
    else record({ kind: 'note', key: handler === 'late' ? 'late' : 'noReply', href: handler === 'late' ? href : undefined });
  } else record({ kind: 'error', phone: v.phone, why: v.reason });
  const tl = triesLine(data.tries);
  if (tl) record({ kind: 'tries', text: tl });
  return data;
}
`;

const START = String.raw`
function fillSelect(select, values, current) {
  select.replaceChildren(...values.map((v) => { const o = el('option', '', v.label || v.value || v); o.value = v.value || v; return o; }));
  select.value = current;
}
// The account: the URL's (?account=shop, a link to it), else the last one picked here, else the first.
function wantedAccount() {
  return new URLSearchParams(location.search).get('account') || state.account || localStorage.getItem('wxmp.chat.account.' + location.pathname) || '';
}
async function loadState() {
  let res = await fetch('state?account=' + encodeURIComponent(wantedAccount()));
  // An account no longer configured: the first.
  if (res.status === 400) res = await fetch('state');
  const s = await res.json();
  state.account = s.account; state.accounts = s.accounts;
  fillSelect($('#account'), s.accounts, s.account);
  $('#account-pick').hidden = s.accounts.length < 2;
  const savedUser = localStorage.getItem('wxmp.chat.user.' + location.pathname);
  const savedMode = localStorage.getItem('wxmp.chat.mode.' + location.pathname + accountKey());
  state.users = s.users; state.modes = s.modes; state.upload = s.upload; state.inspector = s.inspector;
  state.user = s.users.some((u) => u.value === savedUser) ? savedUser : s.user;
  state.mode = s.modes.includes(savedMode) ? savedMode : s.mode;
  fillSelect($('#user'), s.users, state.user);
  fillSelect($('#mode'), s.modes, state.mode);
  $('#target').textContent = s.url;
  renderMenu(s.menu);
}
let feed;
function listen() {
  if (feed) feed.close();
  feed = wx.live('events?account=' + encodeURIComponent(state.account) + '&user=' + encodeURIComponent(state.user), {
    ready: () => {},
    message: (m) => record({ kind: 'cs', message: m }),
    menu: (m) => renderMenu(m),
  }, (st, back) => {
    const c = $('#conn');
    c.textContent = st === 'live' ? '' : wx.t('reconnecting');
    c.className = st === 'live' ? '' : 'down';
    document.body.dataset.conn = st;
    if (st === 'live') {
      document.body.setAttribute('data-ready', '');
      // Back after a restart: the menu may have changed while the feed was away.
      if (back) loadState().catch(() => {});
    }
  });
}
$('#user').addEventListener('change', () => {
  state.user = $('#user').value;
  localStorage.setItem('wxmp.chat.user.' + location.pathname, state.user);
  redraw();
  listen();
});
$('#mode').addEventListener('change', () => {
  state.mode = $('#mode').value;
  localStorage.setItem('wxmp.chat.mode.' + location.pathname + accountKey(), state.mode);
});
$('#account').addEventListener('change', () => {
  state.account = $('#account').value;
  localStorage.setItem('wxmp.chat.account.' + location.pathname, state.account);
  const url = new URL(location.href);
  if (state.account === 'default') url.searchParams.delete('account'); else url.searchParams.set('account', state.account);
  window.history.replaceState(null, '', url); // window's: history is the chat's (history.ts)
  loadState().then(() => { redraw(); listen(); }, () => {});
});
$('#clear').addEventListener('click', () => { clearHistory(); $('#input').focus(); });
wx.init(STRINGS);
wx.onLang(() => { redraw(); if (state.menu) renderMenu(state.menu); });
loadState().then(() => { redraw(); listen(); }, () => { listen(); });
$('#input').focus();
`;

/** The whole script: shared helpers, strings, then the chat's parts. */
export const SCRIPT = `${I18N_SCRIPT}\nconst STRINGS = ${JSON.stringify(CHAT_STRINGS).replace(/</g, '\\u003c')};\n${CORE}\n${RENDER_SCRIPT}\n${SEND}\n${HISTORY_SCRIPT}\n${COMPOSE_SCRIPT}\n${START}`;
