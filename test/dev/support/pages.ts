/** Shared by the browser tests of the dev pages: a bot with every outcome, screenshots, and an accessibility scan. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { repoRoot } from './project.js';

const index = join(repoRoot, 'src', 'index.ts');

/**
 * Replies of every kind WeChat judges: fine, rejected (2 articles to a message, 4,500 bytes), thrown, late.
 * With `gateDir`, "gate NAME" answers "gated NAME" once the file NAME exists there: the test decides when a late reply is ready.
 */
export function pagesBot(prefix = 'echo:', options: { gateDir?: string } = {}): string {
  const gate = options.gateDir ? `
  .text(/^gate \\w+$/, async (m) => {
    const name = m.content.slice(5);
    while (!existsSync(join(${JSON.stringify(options.gateDir)}, name))) await new Promise((r) => setTimeout(r, 50));
    return 'gated ' + name;
  })` : '';
  return `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRouter, reply } from ${JSON.stringify(index)};
// A further account's answers start with its name (shop:hi); the first account's are as they were.
const further = (ctx) => ctx.account && ctx.account !== 'default';
export default createRouter()
  .text('news2', () => reply.news([{ title: 'one', url: 'https://example.com/1' }, { title: 'two', url: 'https://example.com/2' }]))
  .text('long', () => 'x'.repeat(4500))
  .text('boom', () => { throw new Error('kaboom in the handler'); })
  .text('slow', async () => { await new Promise((r) => setTimeout(r, 2000)); return 'late hello'; })${gate}
  .on('text', (m, ctx) => (further(ctx) ? ctx.account + ':' : ${JSON.stringify(prefix)}) + m.content)
  .on('image', (m) => 'picture ' + m.picUrl)
  .on('voice', (m) => 'heard ' + (m.recognition ?? '') + ' · ' + m.mediaId)
  .on('location', (m) => 'at ' + m.label)
  .on('link', (m) => 'link ' + m.url)
  .on('event', (e, ctx) => (further(ctx) ? ctx.account + ':' : '') + 'event ' + e.event + ('eventKey' in e && e.eventKey ? ' ' + e.eventKey : ''));
`;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Written by the test run for a reviewer to look at (git-ignored). */
export const SCREENSHOTS = join(repoRoot, 'reports', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** axe-core, minified: parsed once per page rather than twice per scan (the playwright wrapper's way), the slowest part of a scan. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** axe-core's serious and critical violations, as readable lines (empty when none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // The dev pages have no frames: one run over the document, as the wrapper's legacy mode does.
  if (!(await page.evaluate('typeof window.axe?.run === "function"'))) await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })`)) as AxeResults;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
