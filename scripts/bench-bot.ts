// The bot both wxmp servers in `npm run bench` run: a text echo.
import { createRouter } from '../src/wechat/router.js';

export default createRouter().on('text', (m) => `echo: ${m.content}`);
