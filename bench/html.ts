/**
 * HTML extraction: does Readability over linkedom (the product's DOM) give the same article
 * as over jsdom (the reference DOM that Readability is developed against), and how long
 * does each take? Pages: the test fixtures and invented news pages of realistic shape
 * (navigation, article with figures, quotes and lists, related links, comments, footer,
 * scripts), built from the example article's text, from 20 to 800 KB. Also the nested-div
 * bombs the structure budget refuses, timed without the budget.
 *
 *   npm run bench:html [-- --rounds 3]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM, VirtualConsole } from 'jsdom';
import { extractArticle, type ParseHtml } from '../src/formats/html.js';
import { scriptArgs } from '../scripts/script-args.js';

const { values } = scriptArgs(import.meta.url, { rounds: { type: 'string', default: '3' } });
const rounds = Number(values.rounds);

const parseWithJsdom: ParseHtml = (html, url) =>
  new JSDOM(html, { url, virtualConsole: new VirtualConsole() }).window.document;

const root = join(import.meta.dirname, '..');
const sentences = readFileSync(join(root, 'examples/harbour-bridge.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0);

/** An invented news page: `paragraphs` body paragraphs, `comments` reader comments. */
function newsPage(seed: number, paragraphs: number, comments: number): string {
  const line = (i: number) => sentences[(seed * 7 + i) % sentences.length]!;
  const links = (n: number, prefix: string) =>
    Array.from(
      { length: n },
      (_, i) => `<li><a href="/${prefix}/${i}">${prefix} ${i}</a></li>`,
    ).join('');
  const body = Array.from({ length: paragraphs }, (_, i) => {
    const text = `${line(i)} ${line(i + 1)}`;
    if (i % 9 === 4) return `<blockquote><p>${line(i)}</p></blockquote>`;
    if (i % 11 === 6)
      return `<figure><img src="/img/${i}.jpg" alt=""><figcaption>${line(i + 2)}</figcaption></figure>`;
    if (i % 13 === 8) return `<ul><li>${line(i)}</li><li>${line(i + 3)}</li></ul>`;
    if (i % 5 === 2) return `<h2>${line(i).slice(0, 40)}</h2><p>${text}</p>`;
    return `<p>${text.replace(/(\w+)$/u, '<a href="/more">$1</a>')} <em>${line(i + 5).slice(0, 30)}</em></p>`;
  }).join('\n');
  const thread = Array.from(
    { length: comments },
    (_, i) =>
      `<div class="comment"><div class="meta"><span class="author">reader${i}</span><time>2 h</time></div><div class="comment-body"><p>${line(i + 2).slice(0, 80)}</p></div><div class="actions"><button>Reply</button><button>Like</button></div></div>`,
  ).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${line(0)} | The Port Elm Courier</title>
<meta property="og:site_name" content="The Port Elm Courier">
<meta property="article:published_time" content="2026-11-${10 + (seed % 18)}T08:30:00Z">
<style>body{font-family:serif}.nav li{display:inline}</style>
<script>window.analytics = { page: ${seed} };</script></head>
<body><header class="site-header"><div class="logo"><a href="/">Courier</a></div>
<nav class="nav"><ul>${links(40, 'section')}</ul></nav></header>
<main><article class="story"><h1>${line(0)}</h1>
<div class="byline">By <a href="/staff/1">Staff Reporter</a>, <time datetime="2026-11-10T08:30:00Z">10 November</time></div>
<div class="story-body">${body}</div></article>
<aside class="related"><h3>Related</h3><ul>${links(15, 'story')}</ul></aside>
<section class="comments"><h3>${comments} comments</h3>${thread}</section></main>
<footer><ul>${links(60, 'footer')}</ul><p>© 2026 The Port Elm Courier</p></footer>
<script>document.querySelectorAll('a').forEach(function(){});</script></body></html>`;
}

const pages: [string, string][] = [
  [
    'fixture lighthouse.html',
    readFileSync(join(root, 'test/fixtures/batch/articles/sub/lighthouse.html'), 'utf8'),
  ],
  ['fixture served.html', readFileSync(join(root, 'test/fixtures/batch/served.html'), 'utf8')],
];
for (const [seed, paragraphs, comments] of [
  [1, 8, 0],
  [2, 20, 10],
  [3, 40, 50],
  [4, 60, 200],
  [5, 120, 400],
  [6, 200, 1000],
] as const) {
  pages.push([
    `news page ${seed} (${paragraphs} paragraphs, ${comments} comments)`,
    newsPage(seed, paragraphs, comments),
  ]);
}

function timed<T>(run: () => T): { result: T; ms: number } {
  let best = Infinity;
  let result!: T;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    result = run();
    best = Math.min(best, performance.now() - started);
  }
  return { result, ms: best };
}

console.log(`best of ${rounds} rounds, ms; "same" compares title, date, site name and text\n`);
console.log('| page | KB | jsdom ms | linkedom ms | speed-up | same |');
console.log('| --- | --- | --- | --- | --- | --- |');
let allSame = true;
for (const [name, html] of pages) {
  const jsdom = timed(() => extractArticle(html, { parse: parseWithJsdom }));
  const linkedom = timed(() => extractArticle(html));
  const same = JSON.stringify(jsdom.result) === JSON.stringify(linkedom.result);
  allSame &&= same;
  console.log(
    `| ${name} | ${(Buffer.byteLength(html) / 1024).toFixed(0)} | ${jsdom.ms.toFixed(0)} | ${linkedom.ms.toFixed(0)} | ${(jsdom.ms / linkedom.ms).toFixed(1)}× | ${same ? 'yes' : 'NO'} |`,
  );
  if (!same) {
    console.log(`  jsdom:    ${JSON.stringify(jsdom.result).slice(0, 300)}`);
    console.log(`  linkedom: ${JSON.stringify(linkedom.result).slice(0, 300)}`);
  }
}

// Bombs, without the structure budget (what the budget saves).
const unlimited = { maxDepth: Infinity, maxElements: Infinity };
console.log('\n| nested divs, no budget | jsdom ms | linkedom ms |');
console.log('| --- | --- | --- |');
for (const depth of [100, 200, 400]) {
  const bomb = `<html><body>${'<div>'.repeat(depth)}<p>The evil enemy will destroy us all.</p>${'</div>'.repeat(depth)}</body></html>`;
  const time = (parse?: ParseHtml) => {
    const started = performance.now();
    extractArticle(bomb, { budget: unlimited, ...(parse ? { parse } : {}) });
    return performance.now() - started;
  };
  console.log(`| ${depth} | ${time(parseWithJsdom).toFixed(0)} | ${time().toFixed(0)} |`);
}
console.log(`\nevery page extracted the same: ${allSame ? 'yes' : 'NO'}`);
process.exitCode = allSame ? 0 : 1;
