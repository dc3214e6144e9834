/**
 * Your bot. This is the one file to edit: route messages and events to handlers.
 * A handler returns a string (a text reply), a typed reply (`reply.news(...)`),
 * or nothing (WeChat gets "success" and the user sees no reply).
 * Save the file while `npm run dev` runs: the new code serves the next message.
 */
import { createRouter, reply } from './index.js';

export default createRouter()
  // Text: echo what was received. Keywords and RegExps take precedence over this.
  .on('text', (message) => `你说：${message.content}`)
  .text('help', () => 'Send any text and I echo it. Try the menu, or send "news".')
  .text('news', () =>
    reply.news([
      {
        title: 'wxmp',
        description: 'WeChat Official Account backends on Hono',
        url: 'https://github.com/honojs/hono',
        picUrl: 'https://hono.dev/images/hono-title.png',
      },
    ]),
  )
  // Follow: a welcome. `scene` is set when the user scanned a QR code with a scene.
  .event('subscribe', (event) => (event.scene ? `欢迎关注！(from QR scene ${event.scene})` : '欢迎关注！Send "help" to see what I can do.'))
  // A menu button of type "click" with key TODAY (publish a menu with `wxmp menu push menu.json`).
  .event('CLICK', 'TODAY', () => `Today is ${new Date().toISOString().slice(0, 10)}`)
  .on('image', (message) => reply.text(`Nice picture! (${message.picUrl})`))
  .on('location', (m) => `You are at ${m.label || `${m.latitude}, ${m.longitude}`}`);
