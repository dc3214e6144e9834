/**
 * The chat's history (browser JavaScript, part of the page's script): every
 * entry is kept in localStorage per page, account and user, so a reload or a dev-server
 * restart shows the conversation again; time labels as WeChat shows them.
 */
export const HISTORY_SCRIPT = String.raw`
const HISTORY_MAX = 300;
// Per account too; the first account's key is the one it had before accounts could be picked.
function historyKey() { return 'wxmp.chat.' + location.pathname + '.' + (state.user || '') + accountKey(); }
function loadHistory() {
  try { return JSON.parse(localStorage.getItem(historyKey()) || '[]'); } catch { return []; }
}
function saveHistory(list) {
  try { localStorage.setItem(historyKey(), JSON.stringify(list.slice(-HISTORY_MAX))); } catch {}
}
let history = [];
let lastShown = 0;
// WeChat's labels: the time alone today, "Yesterday" and the time, else the date and the time; 24-hour.
function timeLabel(ms) {
  const d = new Date(ms), now = new Date();
  const p = (n) => String(n).padStart(2, '0');
  const hm = p(d.getHours()) + ':' + p(d.getMinutes());
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(now) - day(d)) / 86400000);
  if (diff === 0) return hm;
  if (diff === 1) return wx.t('yesterday') + ' ' + hm;
  return wx.lang === 'zh' ? (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm : d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + hm;
}
function stamp(t) {
  // A label before the first entry and after five quiet minutes, as in WeChat.
  if (t - lastShown < 5 * 60 * 1000) return;
  lastShown = t;
  const div = el('div', 'time');
  div.append(el('span', '', timeLabel(t)));
  div.dataset.t = String(t);
  log.append(div);
}
/** Shows an entry and keeps it; returns what it drew. */
function record(entry) {
  entry.t = entry.t || Date.now();
  history.push(entry);
  saveHistory(history);
  return draw(entry);
}
function draw(entry) {
  stamp(entry.t);
  const node = render(entry);
  scroll();
  return node;
}
function redraw() {
  log.textContent = '';
  lastShown = 0;
  history = loadHistory();
  for (const entry of history) draw(entry);
}
function clearHistory() {
  history = [];
  saveHistory(history);
  redraw();
}
`;
