/** Which file is the user's bot: the order `wxmp start`, `wxmp deploy` and `npm run dev` share. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { botLabel, findBot, installed, requireBot } from '../src/bot-entry.js';

const dir = mkdtempSync(join(tmpdir(), 'wxmp-bot-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, 'p-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('findBot', () => {
  it('takes the argument, then WXMP_BOT, then package.json "wxmp": { "bot" }, then src/app.ts', () => {
    const root = project({ 'src/app.ts': '', 'a.js': '', 'b.js': '', 'c.js': '', 'package.json': JSON.stringify({ wxmp: { bot: './c.js' } }) });
    expect(findBot(root, { arg: 'a.js', env: { WXMP_BOT: 'b.js' } })).toEqual({ file: join(root, 'a.js'), source: 'argument' });
    expect(findBot(root, { env: { WXMP_BOT: 'b.js' } })).toEqual({ file: join(root, 'b.js'), source: 'WXMP_BOT' });
    expect(findBot(root, { env: { WXMP_BOT: '  ' } })).toEqual({ file: join(root, 'c.js'), source: 'package.json' });
    const plain = project({ 'src/app.ts': '', 'package.json': '{"name":"x"}' });
    expect(findBot(plain)).toEqual({ file: join(plain, 'src/app.ts'), source: 'convention' });
  });

  it('finds the JavaScript twin of src/app.ts, and nothing in an empty folder', () => {
    const js = project({ 'src/app.js': '' });
    expect(findBot(js)?.file).toBe(join(js, 'src/app.js'));
    expect(findBot(project({ 'README.md': '' }))).toBeUndefined();
  });

  it('refuses a named file that does not exist, or a package.json entry that is no path, saying where it was named', () => {
    const root = project({ 'src/app.ts': '', 'package.json': JSON.stringify({ wxmp: { bot: 42 } }) });
    expect(() => findBot(root, { arg: 'nope.js' })).toThrow(/^the command line: expected your bot module .*got "nope\.js", which does not exist in /);
    expect(() => findBot(root, { env: { WXMP_BOT: 'gone.ts' } })).toThrow(/^WXMP_BOT: expected your bot module .*got "gone\.ts"/);
    expect(() => findBot(root)).toThrow('package.json: "wxmp": { "bot" }: expected the path of your bot module (e.g. "src/bot.ts"), got 42');
    const missing = project({ 'package.json': JSON.stringify({ wxmp: { bot: 'lost.js' } }) });
    expect(() => findBot(missing)).toThrow(/^package\.json "wxmp": \{ "bot" \}: expected your bot module .*got "lost\.js"/);
  });

  it('requireBot: in the template checkout, no bot means wxmp\'s own example (an installed wxmp errors instead: test/pack.test.ts)', () => {
    expect(installed).toBe(false);
    expect(requireBot(project({}))).toBeUndefined();
  });

  it('botLabel: relative inside the project, absolute outside', () => {
    expect(botLabel('/p', '/p/src/app.ts')).toBe('src/app.ts');
    expect(botLabel('/p', '/elsewhere/bot.js')).toBe('/elsewhere/bot.js');
  });
});
