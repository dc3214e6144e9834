/**
 * The chat page's script (plain browser JavaScript, no build step): sends what
 * the user does, renders replies as WeChat shows them, and listens for
 * customer-service messages over SSE. All URLs are relative to the page.
 */
export const SCRIPT = String.raw`'use strict';
const $ = (s) => document.querySelector(s);
const log = $('#log');
let menu = null;

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
  row.append(el('div', 'avatar', side === 'me' ? '我' : '公'));
  const b = el('div', 'bubble');
  if (tag) b.append(el('span', 'tag', tag));
  b.append(content);
  row.append(b);
  log.append(row);
  scroll();
  return row;
}
function note(text, cls) { const n = el('div', cls || 'note', text); log.append(n); scroll(); return n; }

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
function media(label, detail) { return el('span', 'media', '[' + label + ']' + (detail ? ' ' + detail : '')); }

// A passive reply, from the fields of its XML.
function renderReply(type, f) {
  const inner = (k) => (f[k] && typeof f[k] === 'object' ? f[k] : {});
  switch (type) {
    case 'text': return bubble('bot', richText(f.Content || ''));
    case 'news': {
      const items = inner('Articles').item || [];
      return bubble('bot', newsCards(items.map((i) => ({ title: i.Title, description: i.Description, url: i.Url, picUrl: i.PicUrl }))));
    }
    case 'image': return bubble('bot', media('图片', inner('Image').MediaId));
    case 'voice': return bubble('bot', media('语音', inner('Voice').MediaId));
    case 'video': return bubble('bot', media('视频', inner('Video').Title || inner('Video').MediaId));
    case 'music': return bubble('bot', media('音乐', inner('Music').Title || inner('Music').MusicUrl));
    case 'transfer_customer_service': return note('已转接人工客服');
    default: return bubble('bot', media(type));
  }
}

// A customer-service message, in the API's JSON shape.
function renderCustomer(m) {
  const t = m.msgtype, body = m[t] || {};
  const tag = '客服消息';
  switch (t) {
    case 'text': return bubble('bot', richText(body.content || ''), tag);
    case 'news': return bubble('bot', newsCards((body.articles || []).map((a) => ({ title: a.title, description: a.description, url: a.url, picUrl: a.picurl }))), tag);
    case 'image': return bubble('bot', media('图片', body.media_id), tag);
    case 'voice': return bubble('bot', media('语音', body.media_id), tag);
    case 'video': return bubble('bot', media('视频', body.title || body.media_id), tag);
    case 'music': return bubble('bot', media('音乐', body.title || body.musicurl), tag);
    case 'msgmenu': {
      const lines = [body.head_content || ''].concat((body.list || []).map((i) => '· ' + i.content), [body.tail_content || '']);
      return bubble('bot', document.createTextNode(lines.filter(Boolean).join('\n')), tag);
    }
    default: return bubble('bot', media(t), tag);
  }
}

function triesLine(tries) {
  if (!tries || tries.length < 2) return '';
  return tries.map((t) => 'try ' + t.attempt + ': ' + (t.outcome === 'answered' ? t.status + (t.dedup ? ' (' + t.dedup + ')' : '') : t.outcome)).join(' · ');
}

async function send(action, mine) {
  bubble('me', mine);
  const pending = note('…');
  let data;
  try {
    const res = await fetch('send', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(action) });
    data = await res.json();
  } catch (e) {
    data = { error: 'the chat server did not answer: ' + e.message };
  }
  pending.remove();
  if (data.error) return note(data.error, 'note error-note');
  const v = data.verdict;
  if (v.ok && v.kind === 'reply') renderReply(v.msgType, v.fields);
  else if (v.ok) {
    const handler = (data.tries || []).map((t) => t.handler).find(Boolean);
    note(handler === 'error' ? '(no reply: your handler threw, see the server log; WeChat shows nothing)'
      : handler === 'late' ? '(no reply yet: your handler missed the deadline; its reply comes as a customer-service message)'
      : '(no reply)');
  }
  else {
    const box = el('div', 'error');
    box.append(el('span', 'phone-text', v.phone), el('span', 'why', v.reason));
    log.append(box);
  }
  const tl = triesLine(data.tries);
  if (tl) note(tl, 'tries');
  scroll();
}

function renderMenu(m) {
  menu = m;
  const nav = $('#menu');
  nav.textContent = '';
  if (!m || !Array.isArray(m.button)) return;
  const press = (b) => {
    for (const s of nav.querySelectorAll('.sub.open')) s.classList.remove('open');
    if (b.type === 'click') send({ kind: 'click', key: b.key }, document.createTextNode('[菜单] ' + b.name));
    else if (b.type === 'view') { send({ kind: 'view', url: b.url }, document.createTextNode('[菜单] ' + b.name)); const u = safeUrl(b.url); if (u) note('opens ' + u); }
    else note('menu type ' + b.type + ' is not emulated');
  };
  for (const b of m.button) {
    const cell = el('div');
    const top = el('button', 'top', (b.sub_button && b.sub_button.length ? '≡ ' : '') + b.name);
    top.type = 'button';
    cell.append(top);
    if (b.sub_button && b.sub_button.length) {
      const sub = el('div', 'sub');
      for (const s of b.sub_button) { const sb = el('button', '', s.name); sb.type = 'button'; sb.onclick = () => press(s); sub.append(sb); }
      cell.append(sub);
      top.onclick = () => sub.classList.toggle('open');
    } else top.onclick = () => press(b);
    nav.append(cell);
  }
}

$('#compose').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('#input').value;
  if (!text.trim()) return;
  $('#input').value = '';
  send({ kind: 'text', content: text }, document.createTextNode(text));
});
for (const b of document.querySelectorAll('[data-action]')) {
  b.addEventListener('click', () => {
    const a = b.dataset.action;
    if (a === 'scan') {
      const scene = prompt('QR scene (场景值)', '1');
      if (scene) send({ kind: 'scan', scene }, document.createTextNode('[扫码] ' + scene));
    } else send({ kind: a }, document.createTextNode(a === 'subscribe' ? '[关注]' : '[取消关注]'));
  });
}

fetch('state').then((r) => r.json()).then((s) => {
  $('#target').textContent = s.url + ' · ' + s.mode + ' · ' + s.user;
  renderMenu(s.menu);
});
const events = new EventSource('events');
events.addEventListener('message', (e) => renderCustomer(JSON.parse(e.data)));
events.addEventListener('menu', (e) => renderMenu(JSON.parse(e.data)));
events.addEventListener('ready', () => document.body.setAttribute('data-ready', ''));
`;
