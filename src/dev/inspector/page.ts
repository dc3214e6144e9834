/**
 * The inspector's HTML: a toolbar, the list as a table and the detail pane.
 * No build step and nothing fetched from the internet (it must work offline);
 * the style and script are served beside it (style.ts, script.ts).
 */
import { INSPECTOR_STRINGS } from './strings.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const en = INSPECTOR_STRINGS.en;
const opt = (value: string, key: keyof typeof en) => `<option value="${value}" data-i18n="${key}">${en[key]}</option>`;

/** The page, with links to the other dev pages; `max` is how many exchanges the server keeps (the list keeps as many). */
export function inspectorPage(links: Array<{ path: string; title: string }>, max: number): string {
  // The dev server's own chat link follows the page's language; other panels keep their titles.
  const nav = links.map((l) => `<a href="/__wxmp/${escapeHtml(l.path)}"${l.path === 'chat' ? ' data-i18n="chatLink"' : ''}>${escapeHtml(l.title)}</a>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${en.title}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/__wxmp/inspector.css"></head>
<body data-max="${max}">
<header class="bar"><h1 data-i18n="heading">${en.heading}</h1><nav aria-label="dev pages">${nav}</nav>
<span id="conn" class="conn" role="status" aria-live="polite"></span><button type="button" id="lang" class="ghost">中文</button></header>
<div class="tools" role="search">
<label class="grow"><span class="label" data-i18n="search">${en.search}</span><input id="q" type="search" data-i18n-placeholder="searchPlaceholder" placeholder="${en.searchPlaceholder}"></label>
<label><span class="label" data-i18n="typeFilter">${en.typeFilter}</span><select id="ftype">${opt('', 'all')}${opt('message', 'typeMessage')}${opt('event', 'typeEvent')}${opt('verify', 'typeVerify')}${opt('late', 'typeLate')}${opt('other', 'typeOther')}</select></label>
<label><span class="label" data-i18n="statusFilter">${en.statusFilter}</span><select id="fstatus">${opt('', 'all')}${opt('ok', 'statusOk')}${opt('rejected', 'statusRejected')}${opt('error', 'statusError')}${opt('late', 'statusLate')}${opt('replayed', 'statusReplayed')}</select></label>
<button type="button" id="clear" data-i18n="clear">${en.clear}</button><button type="button" id="export" data-i18n="export">${en.export}</button>
<span id="count" class="muted" aria-live="polite"></span>
</div>
<main>
<section id="side" aria-labelledby="list-label"><h2 id="list-label" class="sr-only">Requests</h2>
<table id="table"><thead><tr><th scope="col" data-i18n="colTime">${en.colTime}</th><th scope="col" data-i18n="colType">${en.colType}</th><th scope="col" data-i18n="colContent">${en.colContent}</th><th scope="col" data-i18n="colReply">${en.colReply}</th><th scope="col" class="num" data-i18n="colDuration">${en.colDuration}</th><th scope="col" data-i18n="colMode">${en.colMode}</th></tr></thead>
<tbody id="list"></tbody></table><p id="empty" class="muted pad" data-i18n="empty">${en.empty}</p></section>
<section id="detail" aria-live="polite" tabindex="-1"><p class="muted" data-i18n="pick">${en.pick}</p></section>
</main>
<script src="/__wxmp/inspector.js"></script></body></html>`;
}
