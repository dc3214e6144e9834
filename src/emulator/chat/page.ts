/**
 * The chat page's HTML: a phone-sized column in WeChat's colours that fills a
 * narrow screen. Style and script are served beside it (style.ts, script.ts);
 * every URL in it is relative to the mount point.
 */
import { CHAT_STRINGS } from './strings.js';

const en = CHAT_STRINGS.en;

export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${en.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
</head>
<body>
<div class="phone">
  <header>
    <div class="top"><h1 data-i18n="heading">${en.heading}</h1><a href="/__wxmp" data-i18n="inspector">${en.inspector}</a><button type="button" id="lang">中文</button></div>
    <small id="target">${en.connecting}</small>
    <div class="controls">
      <label id="account-pick" hidden><span data-i18n="account">${en.account}</span> <select id="account"></select></label>
      <label><span data-i18n="user">${en.user}</span> <select id="user"></select></label>
      <label><span data-i18n="mode">${en.mode}</span> <select id="mode"></select></label>
      <button type="button" id="clear" data-i18n="clear">${en.clear}</button>
    </div>
    <p id="conn" role="status" aria-live="polite"></p>
  </header>
  <main id="log" role="log" aria-live="polite" tabindex="0" aria-label="messages"></main>
  <nav id="menu" data-i18n-label="menu" aria-label="${en.menu}"></nav>
  <div class="events" role="group" data-i18n-label="events" aria-label="${en.events}">
    <button type="button" data-action="subscribe" data-i18n="subscribe">${en.subscribe}</button>
    <button type="button" data-action="unsubscribe" data-i18n="unsubscribe">${en.unsubscribe}</button>
    <button type="button" data-action="scan" data-i18n="scan">${en.scan}</button>
  </div>
  <div id="more" hidden>
    <label class="pick"><input type="file" id="image-file" accept="image/*"><span data-i18n="image">${en.image}</span></label>
    <button type="button" data-more="voice" data-i18n="voice">${en.voice}</button>
    <button type="button" data-more="location" data-i18n="location">${en.location}</button>
    <button type="button" data-more="link" data-i18n="link">${en.link}</button>
  </div>
  <form id="ask" hidden aria-labelledby="ask-title"><h2 id="ask-title"></h2><div id="ask-fields"></div>
    <div class="row-buttons"><button type="button" id="ask-cancel" data-i18n="cancel">${en.cancel}</button><button type="submit" id="ask-ok" data-i18n="ok">${en.ok}</button></div></form>
  <form id="compose">
    <button type="button" id="plus" aria-expanded="false" aria-controls="more" data-i18n-label="more" aria-label="${en.more}">+</button>
    <input id="input" autocomplete="off" data-i18n-placeholder="inputPlaceholder" placeholder="${en.inputPlaceholder}" data-i18n-label="input" aria-label="${en.input}">
    <button id="send" type="submit" data-i18n="send">${en.send}</button>
  </form>
</div>
<script src="app.js"></script>
</body>
</html>
`;
