/**
 * The inspector's single page: plain HTML, CSS and a little script, no build
 * step and nothing fetched from the internet (it must work offline).
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;height:100vh;color:#222}
header{padding:8px 12px;background:#07c160;color:#fff;font-weight:600}
header a{color:#fff;margin-left:12px;font-weight:400}
#side{width:46%;display:flex;flex-direction:column;border-right:1px solid #ddd}
#list{overflow:auto;flex:1;margin:0;padding:0;list-style:none}
#list li{padding:6px 10px;border-bottom:1px solid #eee;cursor:pointer;font-family:ui-monospace,monospace;font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#list li:hover,#list li.sel{background:#eef9f1}
#list li.err{color:#c00}
#detail{flex:1;overflow:auto;padding:12px}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px}
h3{margin:14px 0 4px;font-size:13px;color:#555}
button{background:#07c160;color:#fff;border:0;padding:6px 14px;border-radius:4px;cursor:pointer}
#empty{padding:12px;color:#888}`;

const SCRIPT = `
const list = document.getElementById('list');
const detail = document.getElementById('detail');
const base = location.pathname.replace(/\\/$/, '');
let selected;
function row(s) {
  const li = document.createElement('li');
  li.dataset.id = s.id;
  li.textContent = (s.replayOf ? '↻ ' : '') + s.line;
  if (s.error || s.status >= 400) li.className = 'err';
  li.onclick = () => show(s.id);
  return li;
}
function add(s) {
  document.getElementById('empty')?.remove();
  list.prepend(row(s));
}
function section(title, text) {
  if (text === undefined || text === null || text === '') return '';
  const h = document.createElement('h3'); h.textContent = title;
  const pre = document.createElement('pre'); pre.textContent = typeof text === 'string' ? text : JSON.stringify(text, null, 2);
  return h.outerHTML + pre.outerHTML;
}
async function show(id, note) {
  selected = id;
  for (const li of list.children) li.classList.toggle('sel', li.dataset.id === id);
  const ex = await (await fetch(base + '/api/exchanges/' + id)).json();
  const when = new Date(ex.time).toLocaleTimeString();
  detail.innerHTML =
    '<div><b id="summary"></b></div><p id="note"></p>' +
    (ex.kind !== 'other' ? '<p><button id="replay">Replay</button> <span id="replayed"></span></p>' : '') +
    section('Timing', when + ' · ' + Math.round(ex.durationMs) + ' ms · status ' + ex.status + (ex.mode ? ' · ' + ex.mode + ' mode' : '') + (ex.late ? ' · late reply' : '') + (ex.dedup && ex.dedup !== 'first' ? ' · retry ' + ex.dedup : '')) +
    section('Error', ex.error && (ex.error.code + ': ' + ex.error.message + (ex.error.stack ? '\\n' + ex.error.stack : ''))) +
    section('Query', ex.query) +
    section('Raw body (as received)', ex.rawBody) +
    section('Decrypted XML', ex.mode === 'plaintext' ? undefined : ex.xml) +
    section('Message', ex.message && Object.fromEntries(Object.entries(ex.message).filter(([k]) => k !== 'raw'))) +
    section('Reply', ex.reply) +
    section('Reply XML (before encryption)', ex.replyXml) +
    section('Response body (as sent)', ex.responseBody);
  document.getElementById('summary').textContent = ex.method + ' ' + ex.path + (ex.replayOf ? ' (replay)' : '');
  document.getElementById('note').textContent = note || '';
  const button = document.getElementById('replay');
  if (button) button.onclick = async () => {
    button.disabled = true;
    const r = await (await fetch(base + '/api/exchanges/' + id + '/replay', { method: 'POST' })).json();
    document.getElementById('replayed').textContent = r.error ? r.error : 'replayed: status ' + r.status;
    button.disabled = false;
    if (r.id) show(r.id, 'Replayed with the current code: status ' + r.status);
  };
}
fetch(base + '/api/exchanges').then((r) => r.json()).then((items) => { for (const s of items.reverse()) add(s); });
const events = new EventSource(base + '/api/events');
events.addEventListener('exchange', (e) => add(JSON.parse(e.data)));
`;

/** The page, with links to the other dev pages. */
export function inspectorPage(links: Array<{ path: string; title: string }>): string {
  const nav = links.map((l) => `<a href="/__wxmp/${escapeHtml(l.path)}">${escapeHtml(l.title)}</a>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wxmp inspector</title><style>${STYLE}</style></head>
<body><div id="side"><header>wxmp inspector${nav}</header><ul id="list"><li id="empty">No requests yet. Send a message (wxmp send, or from WeChat).</li></ul></div>
<div id="detail"><p>Select a request to see its raw and decrypted XML, the reply, timing and errors.</p></div>
<script type="module">${SCRIPT}</script></body></html>`;
}
