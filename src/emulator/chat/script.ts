/**
 * The chat page's script (plain browser JavaScript, no build step): sends what
 * the user does, renders replies as WeChat shows them, and listens for
 * customer-service messages and menu changes over a feed that reconnects by
 * itself. All URLs are relative to the page. Parts: history.ts, compose.ts.
 */
import { I18N_SCRIPT } from '../../dev/pages/i18n.js';
import { COMPOSE_SCRIPT } from './compose.js';
import { HISTORY_SCRIPT } from './history.js';
import { CHAT_STRINGS } from './strings.js';

const CORE = String.raw`
const $ = (s) => document.querySelector(s);
const log = $('#log');
const state = { user: '', mode: '', users: [], modes: [], menu: null, upload: false, inspector: null };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function scroll() { log.scrollTop = log.scrollHeight; }
function safeUrl(u) { return /^https?:\/\//i.test(u) ? u : null; }
function link(href, text) {
  const a = el('a', '', text);
  a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer';
  return a;
}
// WeChat text: plain text with <a href="..."> links; bare URLs become links too. Everything else stays text.
function richText(s) {
  const out = document.createDocumentFragment();
  const re = /<a\s+href=["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>|(https?:\/\/[^\s<>"]+)/gi;
  let last = 0, m;
  while ((m = re.exec(s))) {
    out.append(s.slice(last, m.index));
    const href = safeUrl(m[1] || m[3]);
    out.append(href ? link(href, m[2] !== undefined ? m[2] : m[3]) : m[0]);
    last = re.lastIndex;
  }
  out.append(s.slice(last));
  return out;
}
function bubble(side, content, tag) {
  const row = el('div', 'row ' + side);
  row.append(el('div', 'avatar', wx.t(side === 'me' ? 'me' : 'bot')));
  const b = el('div', 'bubble');
  if (tag) b.append(el('span', 'tag', tag));
  b.append(content);
  row.append(b);
  log.append(row);
  return row;
}
function note(text, cls) { const n = el('div', cls || 'note', text); log.append(n); return n; }
function newsCards(articles) {
  const box = document.createDocumentFragment();
  for (const a of articles) {
    const href = safeUrl(a.url || '');
    const card = href ? link(href, '') : el('div');
    card.className = 'card';
    const pic = safeUrl(a.picUrl || '');
    if (pic) { const img = el('img'); img.src = pic; img.alt = ''; card.append(img); }
    card.append(el('b', '', a.title || ''));
    if (a.description) card.append(el('span', '', a.description));
    box.append(card);
  }
  return box;
}
function media(key, detail) { return el('span', 'media', '[' + wx.t(key) + ']' + (detail ? ' ' + detail : '')); }
function asList(v) { return Array.isArray(v) ? v : v ? [v] : []; }

// A passive reply, from the fields of its XML.
function renderReply(type, f) {
  const inner = (k) => (f[k] && typeof f[k] === 'object' ? f[k] : {});
  switch (type) {
    case 'text': return bubble('bot', richText(f.Content || ''));
    case 'news': return bubble('bot', newsCards(asList(inner('Articles').item).map((i) => ({ title: i.Title, description: i.Description, url: i.Url, picUrl: i.PicUrl }))));
    case 'image': return bubble('bot', media('tag_image', inner('Image').MediaId));
    case 'voice': return bubble('bot', media('tag_voice', inner('Voice').MediaId));
    case 'video': return bubble('bot', media('tag_video', inner('Video').Title || inner('Video').MediaId));
    case 'music': return bubble('bot', media('tag_music', inner('Music').Title || inner('Music').MusicUrl));
    case 'transfer_customer_service': return note(wx.t('transfer'));
    default: return bubble('bot', el('span', 'media', '[' + type + ']'));
  }
}
// A customer-service message, in the API's JSON shape.
function renderCustomer(m) {
  const t = m.msgtype, body = m[t] || {};
  const tag = wx.t('csTag');
  switch (t) {
    case 'text': return bubble('bot', richText(body.content || ''), tag);
    case 'news': return bubble('bot', newsCards((body.articles || []).map((a) => ({ title: a.title, description: a.description, url: a.url, picUrl: a.picurl }))), tag);
    case 'image': return bubble('bot', media('tag_image', body.media_id), tag);
    case 'voice': return bubble('bot', media('tag_voice', body.media_id), tag);
    case 'video': return bubble('bot', media('tag_video', body.title || body.media_id), tag);
    case 'music': return bubble('bot', media('tag_music', body.title || body.musicurl), tag);
    case 'msgmenu': {
      const lines = [body.head_content || ''].concat((body.list || []).map((i) => '· ' + i.content), [body.tail_content || '']);
      return bubble('bot', document.createTextNode(lines.filter(Boolean).join('\n')), tag);
    }
    default: return bubble('bot', el('span', 'media', '[' + t + ']'), tag);
  }
}
// What the user sent, as their own bubble; a picture shows as itself.
function mine(entry) {
  const c = entry.content;
  const content = c.image ? Object.assign(el('img', 'pic'), { src: c.image, alt: wx.t('tag_image') }) : document.createTextNode(c.tag ? '[' + wx.t(c.tag) + ']' + (c.text ? ' ' + c.text : '') : c.text);
  const row = bubble('me', content);
  if (entry.failed) markFailed(row);
  return row;
}
function markFailed(row) {
  if (row.querySelector('.failed')) return;
  const bang = el('span', 'failed', '!');
  bang.setAttribute('role', 'img');
  bang.setAttribute('aria-label', wx.t('notSent'));
  bang.title = wx.t('notSent');
  row.append(bang);
}
function render(entry) {
  switch (entry.kind) {
    case 'me': return mine(entry);
    case 'reply': return renderReply(entry.msgType, entry.fields);
    case 'cs': return renderCustomer(entry.message);
    case 'error': { const box = el('div', 'error'); box.append(el('span', 'phone-text', entry.phone), el('span', 'why', entry.why)); log.append(box); return box; }
    case 'tries': return note(entry.text, 'tries');
    case 'note': {
      const n = note(entry.key ? wx.t(entry.key, entry.vars) : entry.text, 'note' + (entry.cls ? ' ' + entry.cls : ''));
      if (entry.href) { n.append(' '); const a = el('a', '', wx.t('openInspector')); a.href = entry.href; n.append(a); }
      return n;
    }
  }
}
function triesLine(tries) {
  if (!tries || tries.length < 2) return '';
  return tries.map((t) => wx.t('tries', { n: t.attempt, outcome: t.outcome === 'answered' ? t.status + (t.dedup ? ' (' + t.dedup + ')' : '') : t.outcome })).join(' · ');
}

async function send(action, content) {
  const entry = { kind: 'me', content };
  const row = record(entry);
  const pending = note(wx.t('sending'));
  let data;
  try {
    const res = await fetch('send', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Object.assign({ mode: state.mode, user: state.user }, action)) });
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
async function loadState() {
  const s = await (await fetch('state')).json();
  const savedUser = localStorage.getItem('wxmp.chat.user.' + location.pathname);
  const savedMode = localStorage.getItem('wxmp.chat.mode.' + location.pathname);
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
  feed = wx.live('events?user=' + encodeURIComponent(state.user), {
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
  localStorage.setItem('wxmp.chat.mode.' + location.pathname, state.mode);
});
$('#clear').addEventListener('click', () => { clearHistory(); $('#input').focus(); });
wx.init(STRINGS);
wx.onLang(() => { redraw(); if (state.menu) renderMenu(state.menu); });
loadState().then(() => { redraw(); listen(); }, () => { listen(); });
$('#input').focus();
`;

/** The whole script: shared helpers, strings, then the chat's parts. */
export const SCRIPT = `${I18N_SCRIPT}\nconst STRINGS = ${JSON.stringify(CHAT_STRINGS).replace(/</g, '\\u003c')};\n${CORE}\n${HISTORY_SCRIPT}\n${COMPOSE_SCRIPT}\n${START}`;
