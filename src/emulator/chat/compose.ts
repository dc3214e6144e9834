/**
 * The chat's inputs (browser JavaScript, part of the page's script): text,
 * picture (uploaded to the mock API, which hosts it), voice, location and
 * link; the follow/scan buttons; and the menu with every button type WeChat
 * has. A small form asks for what an action needs; Escape or a click
 * elsewhere closes menus and forms.
 */
export const COMPOSE_SCRIPT = String.raw`
let asking = null;
function closeMenus() {
  for (const s of document.querySelectorAll('#menu .sub.open')) { s.classList.remove('open'); s.previousElementSibling.setAttribute('aria-expanded', 'false'); }
}
function closeMore() { $('#more').hidden = true; $('#plus').setAttribute('aria-expanded', 'false'); }
// Asks for a few values in the form above the input; resolves to them, or null when cancelled.
function ask(titleKey, fields) {
  if (asking) asking(null);
  const form = $('#ask'), box = $('#ask-fields');
  $('#ask-title').textContent = wx.t(titleKey);
  box.replaceChildren();
  for (const f of fields) {
    const label = el('label', '', wx.t(f.key));
    const input = el('input');
    input.name = f.key; input.type = f.type || 'text';
    if (f.value !== undefined) input.value = f.value;
    if (f.required) input.required = true;
    if (f.accept) input.accept = f.accept;
    if (f.type === 'number') input.step = 'any';
    label.append(input);
    box.append(label);
  }
  form.hidden = false;
  const first = box.querySelector('input');
  if (first) first.focus();
  return new Promise((resolve) => {
    asking = (values) => { asking = null; form.hidden = true; resolve(values); };
  });
}
$('#ask').addEventListener('submit', (e) => {
  e.preventDefault();
  const values = {};
  for (const input of $('#ask-fields').querySelectorAll('input')) values[input.name] = input.type === 'file' ? input.files[0] : input.value.trim();
  if (asking) asking(values);
  $('#input').focus();
});
$('#ask-cancel').addEventListener('click', () => { if (asking) asking(null); $('#input').focus(); });

async function upload(file, type) {
  const res = await fetch('upload?type=' + type + '&account=' + encodeURIComponent(state.account), { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file });
  const data = await res.json();
  if (data.error) throw new Error(data.error);
  return data;
}
// A picture: uploaded to the mock API (it never leaves this machine), then sent with the URL the mock hosts it at.
async function sendPicture(file, before) {
  let hosted;
  try { hosted = await upload(file, 'image'); } catch (e) { record({ kind: 'note', key: 'refused', vars: { error: e.message }, cls: 'handler-error' }); return; }
  if (before) await before();
  await send({ kind: 'image', picUrl: hosted.url, mediaId: hosted.mediaId }, { image: hosted.url });
}
let picBefore = null;
async function askPicture(before) {
  if (!state.upload) {
    const v = await ask('image', [{ key: 'pictureUrl', type: 'url', required: true }]);
    if (v) { if (before) await before(); await send({ kind: 'image', picUrl: v.pictureUrl }, { image: v.pictureUrl }); }
    return;
  }
  picBefore = before;
  $('#image-file').click();
}
async function askLocation(titleKey) {
  return ask(titleKey, [{ key: 'latitude', type: 'number', value: '23.134521', required: true }, { key: 'longitude', type: 'number', value: '113.358803', required: true }, { key: 'label', value: '广州市天河区' }]);
}
function locationAction(v) { return { kind: 'location', latitude: Number(v.latitude), longitude: Number(v.longitude), label: v.label || undefined }; }

const MORE = {
  voice: async () => {
    // A file only where the mock API can host it; without one the bot gets a made-up MediaId.
    const v = await ask('voice', [{ key: 'recognition' }].concat(state.upload ? [{ key: 'voiceFile', type: 'file', accept: 'audio/*' }] : []));
    if (!v) return;
    let mediaId;
    if (v.voiceFile) {
      try { mediaId = (await upload(v.voiceFile, 'voice')).mediaId; }
      catch (e) { record({ kind: 'note', key: 'refused', vars: { error: e.message }, cls: 'handler-error' }); return; }
    }
    send({ kind: 'voice', recognition: v.recognition || undefined, mediaId }, { tag: 'tag_voice', text: v.recognition || '' });
  },
  location: async () => {
    const v = await askLocation('location');
    if (v) send(locationAction(v), { tag: 'tag_location', text: v.label || v.latitude + ', ' + v.longitude });
  },
  link: async () => {
    const v = await ask('link', [{ key: 'url', type: 'url', required: true, value: 'https://' }, { key: 'linkTitle' }, { key: 'description' }]);
    if (v) send({ kind: 'link', url: v.url, title: v.linkTitle || undefined, description: v.description || undefined }, { tag: 'tag_link', text: v.linkTitle || v.url });
  },
};
$('#plus').addEventListener('click', () => {
  const open = $('#more').hidden;
  $('#more').hidden = !open;
  $('#plus').setAttribute('aria-expanded', String(open));
  if (open) $('#more button, #more input').focus();
});
for (const b of document.querySelectorAll('[data-more]')) b.addEventListener('click', () => { closeMore(); MORE[b.dataset.more](); });
$('#image-file').addEventListener('click', (e) => { if (!state.upload) { e.preventDefault(); closeMore(); askPicture(); } });
$('#image-file').addEventListener('change', () => {
  const f = $('#image-file').files[0];
  const before = picBefore;
  picBefore = null;
  $('#image-file').value = '';
  closeMore();
  if (f) sendPicture(f, before);
});

// Every menu button type: the events WeChat sends, and a note for the ones WeChat handles itself.
async function press(b) {
  closeMenus();
  const mine = { tag: 'tag_menu', text: b.name };
  switch (b.type) {
    case 'click': return send({ kind: 'click', key: b.key }, mine);
    case 'view': { await send({ kind: 'view', url: b.url }, mine); const u = safeUrl(b.url); if (u) record({ kind: 'note', key: 'opens', vars: { url: u } }); return; }
    case 'scancode_push': case 'scancode_waitmsg': {
      const v = await ask('scan', [{ key: 'scanResult', value: 'https://example.com/qr', required: true }]);
      if (v) send({ kind: 'scancode', event: b.type, key: b.key, scanResult: v.scanResult }, { tag: 'tag_scan', text: v.scanResult });
      return;
    }
    case 'pic_sysphoto': case 'pic_photo_or_album': case 'pic_weixin':
      // WeChat sends the event first, then the picture as an image message.
      return askPicture(() => send({ kind: 'pic', event: b.type, key: b.key, count: 1 }, mine));
    case 'location_select': {
      const v = await askLocation('location');
      if (!v) return;
      await send({ kind: 'location_select', key: b.key, latitude: Number(v.latitude), longitude: Number(v.longitude), label: v.label || undefined }, mine);
      return send(locationAction(v), { tag: 'tag_location', text: v.label || v.latitude + ', ' + v.longitude });
    }
    case 'miniprogram': {
      await send({ kind: 'view_miniprogram', key: b.pagepath || b.url || '' }, mine);
      return record({ kind: 'note', key: 'miniprogram', vars: { path: b.pagepath || '' } });
    }
    default: return record({ kind: 'note', key: 'noEvent', vars: { type: b.type } });
  }
}
function renderMenu(m) {
  state.menu = m;
  const nav = $('#menu');
  nav.textContent = '';
  if (!m || !Array.isArray(m.button)) return;
  m.button.forEach((b, i) => {
    const cell = el('div');
    const subs = b.sub_button && b.sub_button.length ? b.sub_button : null;
    const top = el('button', 'top', (subs ? '≡ ' : '') + b.name);
    top.type = 'button';
    cell.append(top);
    if (subs) {
      const sub = el('div', 'sub');
      sub.id = 'sub-' + i;
      top.setAttribute('aria-expanded', 'false');
      top.setAttribute('aria-controls', sub.id);
      for (const s of subs) { const sb = el('button', '', s.name); sb.type = 'button'; sb.onclick = () => press(s); sub.append(sb); }
      cell.append(sub);
      top.onclick = () => {
        const open = !sub.classList.contains('open');
        closeMenus();
        sub.classList.toggle('open', open);
        top.setAttribute('aria-expanded', String(open));
        if (open) sub.querySelector('button').focus();
      };
    } else top.onclick = () => press(b);
    nav.append(cell);
  });
}
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  const open = document.querySelector('#menu .sub.open');
  if (open) { closeMenus(); open.previousElementSibling.focus(); return; }
  if (!$('#more').hidden) { closeMore(); $('#plus').focus(); return; }
  if (asking) { asking(null); $('#input').focus(); }
});
document.addEventListener('click', (e) => {
  if (!e.target.closest('#menu')) closeMenus();
  if (!e.target.closest('#more') && !e.target.closest('#plus')) closeMore();
});

$('#compose').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('#input').value;
  if (!text.trim()) return;
  $('#input').value = '';
  send({ kind: 'text', content: text }, { text });
});
for (const b of document.querySelectorAll('[data-action]')) {
  b.addEventListener('click', async () => {
    const a = b.dataset.action;
    if (a === 'scan') {
      const v = await ask('scan', [{ key: 'scene', value: '1', required: true }]);
      if (v && v.scene) send({ kind: 'scan', scene: v.scene }, { tag: 'tag_scan', text: v.scene });
    } else send({ kind: a }, { tag: a === 'subscribe' ? 'tag_follow' : 'tag_unfollow' });
  });
}
`;
