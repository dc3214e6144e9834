/**
 * Browser code shared by the dev pages (plain JavaScript, no build step): one
 * language at a time with a 中文/English switch (default from the browser's
 * language, remembered), one time format, XML pretty-printing, and a live
 * feed that reconnects by itself after a restart or a 503.
 */
export const I18N_SCRIPT = String.raw`'use strict';
const wx = (() => {
  let strings = { en: {}, zh: {} };
  const listeners = [];
  const saved = (() => { try { return localStorage.getItem('wxmp.lang'); } catch { return null; } })();
  let lang = saved === 'zh' || saved === 'en' ? saved : (/^zh/i.test(navigator.language || '') ? 'zh' : 'en');
  function t(key, vars) {
    let s = (strings[lang] && strings[lang][key]) ?? strings.en[key] ?? key;
    if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }
  function apply(root) {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    const scope = root || document;
    for (const el of scope.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of scope.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of scope.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    for (const el of scope.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
    const toggle = document.getElementById('lang');
    if (toggle) { toggle.textContent = lang === 'zh' ? 'English' : '中文'; toggle.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN'); toggle.setAttribute('aria-label', lang === 'zh' ? 'Switch to English' : '切换到中文'); }
    if (strings[lang].title) document.title = strings[lang].title;
  }
  function init(dict) {
    strings = dict;
    apply();
    const toggle = document.getElementById('lang');
    if (toggle) toggle.addEventListener('click', () => setLang(lang === 'zh' ? 'en' : 'zh'));
  }
  function setLang(next) {
    lang = next;
    try { localStorage.setItem('wxmp.lang', lang); } catch {}
    apply();
    for (const f of listeners) f(lang);
  }
  // One time format on every page: 24-hour HH:MM:SS, or a dash for a missing time.
  function time(ms) {
    const d = new Date(ms);
    if (typeof ms !== 'number' || isNaN(d.getTime())) return '—';
    const p = (n) => String(n).padStart(2, '0');
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  function ms(n) { return typeof n === 'number' && isFinite(n) ? (n < 10 ? n.toFixed(1) : String(Math.round(n))) + ' ms' : '—'; }
  // Indents XML one element per line; text and CDATA stay as they are.
  function prettyXml(xml) {
    if (typeof xml !== 'string' || !xml.trim().startsWith('<')) return xml || '';
    const tokens = xml.replace(/>\s+</g, '><').match(/<!\[CDATA\[[\s\S]*?\]\]>|<[^>]+>|[^<]+/g) || [];
    let depth = 0, out = '', inline = false;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i];
      if (/^<\//.test(tok)) {
        depth--;
        out += (inline ? '' : '\n' + '  '.repeat(depth)) + tok;
        inline = false;
      } else if (/^<[^!?][^>]*[^/]>$|^<[a-zA-Z]>$/.test(tok)) {
        out += (out ? '\n' : '') + '  '.repeat(depth) + tok;
        depth++;
        inline = tokens[i + 1] !== undefined && !/^<[^!]/.test(tokens[i + 1]);
      } else if (/^</.test(tok) && !/^<!\[CDATA/.test(tok)) {
        out += (out ? '\n' : '') + '  '.repeat(depth) + tok;
      } else {
        out += tok;
      }
    }
    return out;
  }
  // An EventSource gives up for good on a 503 or a closed server; this one tries again
  // every second or two, says so, and tells the page when it is back (to reload what it shows).
  function live(url, handlers, onState) {
    let source, timer, wasDown = false, tries = 0;
    function connect() {
      source = new EventSource(url);
      for (const name of Object.keys(handlers)) source.addEventListener(name, (e) => handlers[name](e.data ? JSON.parse(e.data) : {}, e));
      source.addEventListener('open', () => { tries = 0; });
      source.addEventListener(handlers.hello ? 'hello' : 'ready', () => { onState('live', wasDown); wasDown = false; });
      source.onerror = () => {
        wasDown = true;
        onState('reconnecting', false);
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          timer = setTimeout(connect, Math.min(5000, 500 * ++tries));
        }
      };
    }
    connect();
    return { close() { clearTimeout(timer); source.close(); } };
  }
  return { t, init, setLang, apply, time, ms, prettyXml, live, get lang() { return lang; }, onLang(f) { listeners.push(f); } };
})();
`;
