/**
 * The chat page's CSS, in WeChat's colours where they pass WCAG AA: text on
 * 4.5:1, WeChat's green kept for the user's bubbles (dark text on it) and a
 * darker green for the send button.
 */
export const STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: #d9d9d9; font: 15px/1.45 -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1a1a1a; }
.phone { display: flex; flex-direction: column; height: 100%; max-width: 420px; margin: 0 auto; background: #ededed; }
header { padding: 8px 12px; background: #ededed; border-bottom: 1px solid #d6d6d6; }
header .top { display: flex; align-items: center; gap: 10px; }
header h1 { flex: 1; margin: 0; font-size: 16px; text-align: center; }
header a { color: #1f4fa3; font-size: 13px; }
header small { display: block; text-align: center; color: #595959; font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.controls { display: flex; gap: 8px; justify-content: center; align-items: center; flex-wrap: wrap; margin-top: 4px; font-size: 13px; color: #3d3d3d; }
.controls select { font: inherit; font-size: 13px; border: 1px solid #767676; border-radius: 4px; background: #fff; color: #1a1a1a; padding: 2px 4px; }
button { font: inherit; cursor: pointer; color: #1a1a1a; }
:focus-visible { outline: 3px solid #1f4fa3; outline-offset: 2px; }
#lang, #clear { font-size: 13px; padding: 2px 8px; border: 1px solid #767676; border-radius: 4px; background: #fff; }
#conn { margin: 4px 0 0; text-align: center; font-size: 12px; }
#conn:empty { display: none; }
#conn.down { background: #fff4e0; color: #8a5300; border-radius: 3px; padding: 2px 6px; }
#log { flex: 1; overflow-y: auto; padding: 12px 10px; }
.time { text-align: center; margin: 12px 0 4px; }
.time span { display: inline-block; background: #dadada; color: #3d3d3d; font-size: 12px; padding: 1px 6px; border-radius: 3px; }
.row { display: flex; gap: 8px; margin: 10px 0; align-items: flex-start; }
.row.me { flex-direction: row-reverse; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 4px; background: #fff; display: grid; place-items: center; font-size: 13px; color: #3d3d3d; }
.row.me .avatar { background: #95ec69; color: #1a1a1a; }
.bubble { max-width: 75%; padding: 8px 10px; border-radius: 6px; background: #fff; white-space: pre-wrap; word-break: break-word; }
.row.me .bubble { background: #95ec69; }
.bubble a { color: #1f4fa3; }
.bubble img.pic { display: block; max-width: 180px; max-height: 180px; border-radius: 3px; }
.failed { align-self: center; flex: none; width: 20px; height: 20px; border-radius: 50%; background: #b3261e; color: #fff; font-weight: 700; font-size: 13px; display: grid; place-items: center; }
.tag { display: block; font-size: 11px; color: #595959; margin-bottom: 2px; }
.card { display: block; width: 240px; max-width: 100%; color: inherit; text-decoration: none; white-space: normal; }
.card + .card { border-top: 1px solid #eee; margin-top: 8px; padding-top: 8px; }
.card img { width: 100%; max-height: 120px; object-fit: cover; border-radius: 3px; background: #f2f2f2; }
.card b { display: block; }
.card span { color: #595959; font-size: 13px; }
.media { color: #3d3d3d; }
.note { text-align: center; color: #595959; font-size: 12px; margin: 8px 0; }
.note a { color: #1f4fa3; }
.note.handler-error { color: #8c1d18; }
.error { text-align: center; margin: 10px 0; }
.error .phone-text { display: inline-block; background: #dadada; color: #3d3d3d; padding: 3px 8px; border-radius: 3px; font-size: 13px; }
.error .why { display: block; color: #8c1d18; font-size: 12px; margin-top: 4px; }
.tries { display: block; text-align: center; color: #595959; font-size: 11px; }
#menu { display: flex; border-top: 1px solid #d6d6d6; background: #f7f7f7; position: relative; }
#menu:empty { display: none; }
#menu > div { flex: 1; position: relative; }
#menu button.top { width: 100%; padding: 10px 4px; background: none; border: 0; border-left: 1px solid #e2e2e2; }
.sub { position: absolute; bottom: 100%; left: 4px; right: 4px; background: #fff; border: 1px solid #ddd; border-radius: 4px; display: none; z-index: 2; }
.sub.open { display: block; }
.sub button { display: block; width: 100%; padding: 9px 4px; background: none; border: 0; border-bottom: 1px solid #eee; }
.events { display: flex; gap: 6px; padding: 6px 8px 0; flex-wrap: wrap; }
.events button, #more button, #more .pick { font-size: 13px; padding: 3px 10px; border: 1px solid #767676; border-radius: 12px; background: #fff; }
#more { display: flex; gap: 6px; padding: 6px 8px 0; flex-wrap: wrap; }
#more[hidden] { display: none; }
#more .pick { position: relative; cursor: pointer; }
#more .pick:focus-within { outline: 3px solid #1f4fa3; outline-offset: 2px; }
#more .pick input { position: absolute; opacity: 0; width: 1px; height: 1px; }
#ask { margin: 6px 8px 0; padding: 8px; background: #fff; border: 1px solid #ccc; border-radius: 6px; }
#ask[hidden] { display: none; }
#ask h2 { margin: 0 0 6px; font-size: 14px; }
#ask label { display: block; font-size: 13px; margin: 4px 0; color: #3d3d3d; }
#ask input { display: block; width: 100%; font: inherit; padding: 4px 6px; border: 1px solid #767676; border-radius: 4px; }
.row-buttons { display: flex; gap: 8px; justify-content: flex-end; margin-top: 6px; }
.row-buttons button { padding: 4px 12px; border-radius: 4px; border: 1px solid #767676; background: #fff; }
.row-buttons button[type=submit] { background: #067a3c; border-color: #067a3c; color: #fff; }
#compose { display: flex; gap: 8px; padding: 8px; }
#plus { width: 36px; border: 1px solid #767676; border-radius: 50%; background: #fff; font-size: 20px; line-height: 1; }
#input { flex: 1; min-width: 0; padding: 8px; border: 1px solid #c4c4c4; border-radius: 4px; font: inherit; }
#send { padding: 0 14px; border: 0; border-radius: 4px; background: #067a3c; color: #fff; }
`;
