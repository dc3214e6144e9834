// Every relative link in the README and docs/ leads to a file that exists and, with a #fragment,
// to a heading that file has: the docs are split across pages that cross-link a lot, and a
// renamed heading silently breaks links into it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The page's lines outside fenced code blocks: a `[x](y)` or `# x` in a code sample is not a link or a heading. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The anchors GitHub gives a page's headings, duplicates numbered as GitHub numbers them. */
function anchors(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  for (const line of prose(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading) out.add(slugger.slug(heading.replace(/`/g, '')));
  }
  return out;
}

/** Relative links (`[text](path#fragment)`, `[text](#fragment)`) outside code, with their line numbers. */
function links(file: string): Array<{ target: string; line: number }> {
  const found: Array<{ target: string; line: number }> = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (!prose(text).length) return;
    // Inline code spans hold examples, not links.
    const plain = text.replace(/`[^`]*`/g, '');
    for (const m of plain.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) found.push({ target, line: i + 1 });
    }
  });
  return found;
}

describe('links between the docs', () => {
  it('finds the pages and their links (a parser that finds nothing would pass everything)', () => {
    expect(pages).toContain('docs/performance.md');
    expect(links(join(root, 'README.md')).map((l) => l.target)).toContain('docs/deploy.md#workers');
    expect(anchors(join(root, 'docs/deploy.md'))).toContain('workers');
    expect(anchors(join(root, 'docs/deploy.md'))).toContain('deploy-npm-run-deploy');
  });

  for (const page of pages) {
    it(`${page}: every relative link resolves`, () => {
      const file = join(root, page);
      const broken: string[] = [];
      for (const { target, line } of links(file)) {
        const [path = '', fragment] = target.split('#');
        const dest = path ? join(dirname(file), decodeURIComponent(path)) : file;
        if (!existsSync(dest)) broken.push(`${page}:${line} → ${target}: no file ${relative(root, dest)}`);
        else if (fragment && dest.endsWith('.md') && !anchors(dest).has(decodeURIComponent(fragment))) {
          broken.push(`${page}:${line} → ${target}: ${relative(root, dest)} has no heading with the anchor #${fragment}`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
