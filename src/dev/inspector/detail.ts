/**
 * The inspector's detail pane (browser JavaScript, part of the page's script):
 * WeChat's verdict, the message and the reply first; replay as recorded or
 * edited, and "copy as wxmp send"; raw and encrypted parts folded below.
 */
export const DETAIL_SCRIPT = String.raw`
function pre(text) { return el('pre', '', text); }
function kv(pairs) {
  const dl = el('dl', 'kv');
  for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== '') dl.append(el('dt', '', k), el('dd', '', String(v)));
  return dl;
}
function fold(title, ...content) {
  const d = el('details');
  d.append(el('summary', '', title), ...content.filter(Boolean));
  return d;
}
function entryLink(id, text) {
  const a = el('a', '', text);
  a.href = '#' + id;
  a.addEventListener('click', (e) => { e.preventDefault(); open(id, true); });
  return a;
}
function verdictBox(ex) {
  const v = ex.verdict;
  if (!v) return null;
  const box = el('div', 'verdict' + (v.ok ? '' : ' bad'));
  box.setAttribute('role', v.ok ? 'status' : 'alert');
  if (v.ok) box.textContent = wx.t({ echo: 'verdictEcho', 'no-reply': 'verdictNoReply', held: 'verdictHeld' }[v.kind] || 'verdictOk');
  else box.append(el('div', '', wx.t('verdictBad')), el('div', 'phone', v.phone), el('div', '', wx.t('why') + ': ' + v.reason));
  return box;
}
function messageFields(m) {
  if (!m) return null;
  return kv(Object.entries(m).filter(([k]) => k !== 'raw').map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]));
}
function replyPart(ex) {
  if (ex.late) return el('p', 't-late', wx.t(ex.lateMode === 'retry' ? 'replyLateRetry' : ex.lateMode === 'off' ? 'replyLateOff' : 'replyLate'));
  if (ex.replyXml) return pre(wx.prettyXml(ex.replyXml));
  if (ex.reply) return pre(JSON.stringify(ex.reply, null, 2));
  if (ex.kind === 'message' && ex.status === 200) return el('p', '', wx.t('replyNone'));
  return ex.responseBody ? pre(ex.responseBody) : null;
}
function headerList(h) { return h && Object.keys(h).length ? pre(Object.entries(h).map(([k, v]) => k + ': ' + v).join('\n')) : null; }

async function replay(id, edits, note) {
  const init = { method: 'POST' };
  if (edits) { init.headers = { 'Content-Type': 'application/json' }; init.body = JSON.stringify(edits); }
  const r = await (await fetch(API + '/exchanges/' + encodeURIComponent(id) + '/replay', init)).json();
  if (r.error) { note.textContent = r.error; return; }
  if (r.id) open(r.id, false, wx.t('replayedNote', { status: r.status }));
  else note.textContent = wx.t('replayedNote', { status: r.status });
}

async function open(id, focus, noteText) {
  selected = id;
  for (const tr of listEl.children) { tr.setAttribute('aria-selected', String(tr.dataset.id === id)); tr.tabIndex = tr.dataset.id === id ? 0 : -1; }
  document.body.classList.add('open');
  const detail = $('#detail');
  const back = el('button', 'secondary', wx.t('back'));
  back.type = 'button'; back.id = 'back';
  back.addEventListener('click', closeDetail);
  const res = await fetch(API + '/exchanges/' + encodeURIComponent(id)).catch(() => null);
  if (!res || !res.ok) {
    const known = rows.find((r) => r.s.id === id);
    markGone(id);
    detail.replaceChildren(back, el('h2', 'd', known ? known.s.type + ' · ' + wx.time(known.s.time) : id), el('p', 'muted', wx.t('gone', { max: MAX })));
    detail.dataset.id = id;
    if (focus) detail.focus();
    return;
  }
  const ex = await res.json();
  const s = ex.summary;
  const parts = [back];
  parts.push(el('h2', 'd', (ex.lateReply ? wx.t('lateReply') : s.type) + ' · ' + wx.time(ex.time)));
  const note = el('p', 'muted', noteText || '');
  note.setAttribute('role', 'status');
  parts.push(note);
  parts.push(kv([[wx.t('status'), ex.status || '—'], [wx.t('duration'), wx.ms(ex.durationMs)], [wx.t('mode'), ex.mode], [wx.t('account'), s.account], [wx.t('user'), s.user], [wx.t('retry'), ex.dedup && ex.dedup !== 'first' ? ex.dedup : '']]));
  if (ex.replayOf) { const p = el('p', 't-replayed', wx.t('replayOf') + ' '); p.append(entryLink(ex.replayOf, ex.replayOf)); parts.push(p); }
  parts.push(verdictBox(ex));
  if (ex.lateReply) {
    const p = el('p');
    if (ex.lateReply.of) { p.append(wx.t('lateOf') + ' '); p.append(entryLink(ex.lateReply.of, ex.lateReply.of)); } else p.append(wx.t('lateGoneOf'));
    parts.push(p, kv([[wx.t('delay'), wx.ms(ex.lateReply.delayMs)], [wx.t('delivery'), wx.t('delivery_' + ex.lateReply.delivery)]]), pre(ex.lateReply.detail));
  }
  if (ex.lateReplyId) { const p = el('p', 't-late', wx.t('lateSee') + ' '); p.append(entryLink(ex.lateReplyId, wx.t('openEntry'))); parts.push(p); }
  if (ex.message) parts.push(el('h3', '', wx.t('message')), messageFields(ex.message));
  if (ex.kind === 'message' || ex.lateReply) parts.push(el('h3', '', wx.t('reply')), replyPart(ex));
  if (ex.error) parts.push(el('h3', 't-error', wx.t('error_')), pre(ex.error.code + ': ' + ex.error.message + (ex.error.stack ? '\n' + ex.error.stack : '')));

  if (ex.kind === 'verify' || ex.kind === 'message') {
    const actions = el('div', 'actions');
    const again = el('button', '', wx.t('replay'));
    again.type = 'button';
    again.addEventListener('click', async () => { again.disabled = true; await replay(id, null, note); again.disabled = false; });
    actions.append(again);
    if (ex.sendLine) {
      const copy = el('button', 'secondary', wx.t('copySend'));
      copy.type = 'button';
      copy.dataset.command = ex.sendLine;
      copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(ex.sendLine); note.textContent = wx.t('copied') + ': ' + ex.sendLine; }
        catch { note.textContent = ex.sendLine; }
      });
      actions.append(copy);
    }
    parts.push(actions);
    if (ex.sendLine) parts.push(pre(ex.sendLine));
    if (ex.canEdit) {
      if (ex.message && ex.message.type === 'text') {
        // The quick edit: only the text, the rest of the message as recorded.
        const quick = el('form');
        const tl = el('label', '', wx.t('editText'));
        const input = el('input');
        input.id = 'edit-text'; input.value = ex.message.content;
        tl.htmlFor = 'edit-text';
        const send = el('button', '', wx.t('replayEdited'));
        send.type = 'submit';
        quick.append(tl, input, send);
        quick.addEventListener('submit', async (e) => { e.preventDefault(); send.disabled = true; await replay(id, { content: input.value }, note); send.disabled = false; });
        parts.push(quick);
      }
      const form = el('form');
      const label = el('label', '', wx.t('editXml'));
      const area = el('textarea');
      area.value = wx.prettyXml(ex.xml);
      area.id = 'edit-xml';
      label.htmlFor = 'edit-xml';
      const go = el('button', '', wx.t('replayEdited'));
      go.type = 'submit';
      form.append(label, area, go);
      form.addEventListener('submit', async (e) => { e.preventDefault(); go.disabled = true; await replay(id, { xml: area.value }, note); go.disabled = false; });
      parts.push(fold(wx.t('edit'), form));
    }
  }
  parts.push(fold(wx.t('request'), kv([['HTTP', ex.method + ' ' + ex.path], [wx.t('source'), ex.peer]]), el('h3', '', wx.t('query')), pre(JSON.stringify(ex.query, null, 2)), el('h3', '', wx.t('headers')), headerList(ex.requestHeaders)));
  if (ex.rawBody) parts.push(fold(wx.t('rawBody'), pre(wx.prettyXml(ex.rawBody))));
  if (ex.xml && ex.mode !== 'plaintext') parts.push(fold(wx.t('decrypted'), pre(wx.prettyXml(ex.xml))));
  parts.push(fold(wx.t('response'), kv([[wx.t('status'), ex.status]]), headerList(ex.responseHeaders), el('h3', '', wx.t('responseBody')), pre(wx.prettyXml(ex.responseBody || ''))));
  if (ex.replyXml && ex.mode !== 'plaintext') parts.push(fold(wx.t('replyXml'), pre(wx.prettyXml(ex.replyXml))));
  detail.replaceChildren(...parts.filter(Boolean));
  detail.dataset.id = id;
  if (focus) detail.focus();
}
`;
