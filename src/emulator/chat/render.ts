/**
 * The chat page's rendering (browser JavaScript, part of script.ts): a
 * passive reply from its XML fields, a customer-service message from its JSON,
 * the user's own message, notes and the retry line, as WeChat shows them. Only
 * http(s) links become links; everything else stays text.
 */
export const RENDER_SCRIPT = String.raw`
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
`;
