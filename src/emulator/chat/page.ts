/**
 * The chat page's HTML and CSS: a phone-sized column in WeChat's colours that
 * fills a narrow screen. Every URL in it is relative to the mount point.
 */
export const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wxmp chat</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; background: #d9d9d9; font: 15px/1.45 -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; }
  .phone { display: flex; flex-direction: column; height: 100%; max-width: 420px; margin: 0 auto; background: #ededed; }
  header { padding: 10px 12px; background: #ededed; border-bottom: 1px solid #d6d6d6; text-align: center; font-weight: 600; }
  header small { display: block; font-weight: 400; color: #888; font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  #log { flex: 1; overflow-y: auto; padding: 12px 10px; }
  .row { display: flex; gap: 8px; margin: 10px 0; align-items: flex-start; }
  .row.me { flex-direction: row-reverse; }
  .avatar { flex: none; width: 36px; height: 36px; border-radius: 4px; background: #fff; display: grid; place-items: center; font-size: 13px; color: #555; }
  .row.me .avatar { background: #95ec69; }
  .bubble { max-width: 75%; padding: 8px 10px; border-radius: 6px; background: #fff; white-space: pre-wrap; word-break: break-word; }
  .row.me .bubble { background: #95ec69; }
  .bubble a { color: #576b95; }
  .tag { display: block; font-size: 11px; color: #999; margin-bottom: 2px; }
  .card { display: block; width: 240px; max-width: 100%; color: inherit; text-decoration: none; white-space: normal; }
  .card + .card { border-top: 1px solid #eee; margin-top: 8px; padding-top: 8px; }
  .card img { width: 100%; max-height: 120px; object-fit: cover; border-radius: 3px; background: #f2f2f2; }
  .card b { display: block; }
  .card span { color: #888; font-size: 13px; }
  .media { color: #555; }
  .note { text-align: center; color: #999; font-size: 12px; margin: 8px 0; }
  .error { text-align: center; margin: 10px 0; }
  .error .phone-text { display: inline-block; background: #dadada; color: #fff; background: rgba(0,0,0,.18); padding: 3px 8px; border-radius: 3px; font-size: 13px; }
  .error .why { display: block; color: #c0392b; font-size: 12px; margin-top: 4px; }
  .tries { display: block; color: #aaa; font-size: 11px; }
  #menu { display: flex; border-top: 1px solid #d6d6d6; background: #f7f7f7; position: relative; }
  #menu:empty { display: none; }
  #menu > div { flex: 1; position: relative; }
  #menu button.top { width: 100%; padding: 10px 4px; background: none; border: 0; border-left: 1px solid #e2e2e2; font: inherit; cursor: pointer; }
  .sub { position: absolute; bottom: 100%; left: 4px; right: 4px; background: #fff; border: 1px solid #ddd; border-radius: 4px; display: none; }
  .sub.open { display: block; }
  .sub button { display: block; width: 100%; padding: 9px 4px; background: none; border: 0; border-bottom: 1px solid #eee; font: inherit; cursor: pointer; }
  .events { display: flex; gap: 6px; padding: 6px 8px 0; flex-wrap: wrap; }
  .events button { font: inherit; font-size: 12px; padding: 3px 8px; border: 1px solid #ccc; border-radius: 12px; background: #fff; cursor: pointer; }
  form { display: flex; gap: 8px; padding: 8px; }
  #input { flex: 1; min-width: 0; padding: 8px; border: 0; border-radius: 4px; font: inherit; }
  #send { padding: 0 14px; border: 0; border-radius: 4px; background: #07c160; color: #fff; font: inherit; cursor: pointer; }
</style>
</head>
<body>
<div class="phone">
  <header>wxmp chat<small id="target">connecting…</small></header>
  <main id="log" aria-live="polite"></main>
  <nav id="menu" aria-label="menu"></nav>
  <div class="events">
    <button type="button" data-action="subscribe">关注</button>
    <button type="button" data-action="unsubscribe">取消关注</button>
    <button type="button" data-action="scan">扫码</button>
  </div>
  <form id="compose">
    <input id="input" autocomplete="off" placeholder="发消息" aria-label="message">
    <button id="send" type="submit">发送</button>
  </form>
</div>
<script src="app.js"></script>
</body>
</html>
`;
