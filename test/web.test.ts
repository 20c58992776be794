/**
 * The web UI (web/): pure render functions without a browser, then the built UI against the
 * real server (`spinscope serve`) in Debian's Chromium via playwright-core.
 *
 * Run: npx tsx --test test/web.test.ts. Screenshots go to artifacts/screenshots/.
 * Without /usr/bin/chromium the browser tests are skipped, except in CI (CI=true): fail.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  buildSegments,
  codePointLength,
  codePointToUnitMap,
  escapeHtml,
  exportHtml,
  exportJson,
  fileSlug,
  formatConfidence,
  formatPercent,
  isoDate,
  layoutBlocks,
  mostFrequent,
  orderSpans,
  parseSnippet,
  safeColor,
  segmentBackground,
  sliceCodePoints,
  techniqueCounts,
  topSentences,
  visibleTechniques,
  type Range,
} from '../web/src/render.js';
import { EXAMPLE_TEXT, EXAMPLE_TITLE } from '../web/src/example.js';
import { findPhrase, ReviewDraft } from '../web/src/review.js';
import type { AnalysisRecord, CatalogueTechnique, ReviewedSpan, Span } from '../web/src/types.js';
import { withReviewedSpans } from '../src/review.js';
import { CONFIDENCE_MEANING, READER_MIN_CONFIDENCE } from '../src/detect/analysis.js';
import { techniqueByLabel, type TechniqueLabel } from '../src/techniques/catalogue.js';
import {
  SCREENSHOTS,
  browserSkipReason,
  contrastRatio,
  ensureBuilt,
  hexToRgb,
  launchBrowser,
  requireChromium,
  startServer,
  type WebServer,
} from './web-helpers.js';

// =======================================================================================
// Pure functions (no browser)

const NAMES: Record<string, string> = { Loaded_Language: 'Loaded language', Doubt: 'Doubt' };

function span(
  start: number,
  end: number,
  technique: TechniqueLabel = 'Loaded_Language',
  confidence = 0.5,
): Span {
  const name = NAMES[technique] ?? technique;
  return {
    start,
    end,
    text: '',
    confidence,
    techniques: [{ technique, id: techniqueByLabel(technique)!.id, name, confidence }],
    cues: [{ text: `cue ${start}`, source: 'span', weight: 1 }],
  };
}

const CATALOGUE: CatalogueTechnique[] = [
  {
    id: 'loaded-language',
    label: 'Loaded_Language',
    name: 'Loaded language',
    explanation: 'Words chosen for their charge.',
    example: 'x',
    exampleSpan: 'x',
    color: '#EE8866',
    ansi256: 209,
  },
  {
    id: 'doubt',
    label: 'Doubt',
    name: 'Doubt',
    explanation: 'Questioning credibility.',
    example: 'x',
    exampleSpan: 'x',
    color: '#BBCC33',
    ansi256: 149,
  },
];

function record(text: string, spans: Span[], extra: Partial<AnalysisRecord> = {}): AnalysisRecord {
  const cps = Array.from(text);
  const withText = spans.map((s) => ({ ...s, text: cps.slice(s.start, s.end).join('') }));
  return {
    id: 'abc',
    cached: false,
    contentHash: 'h',
    modelName: 'sm',
    modelVersion: '1',
    durationMs: null,
    source: null,
    title: null,
    date: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    text,
    analysis: {
      offsetUnit: 'codepoint',
      model: { name: 'sm', version: '1' },
      length: cps.length,
      title: undefined,
      spans: withText,
      sentences: [],
      document: {
        score: 0.5,
        spans: spans.length,
        words: 10,
        density: 1,
        techniqueCounts: {} as Record<TechniqueLabel, number>,
      },
      timing: { milliseconds: 1 },
    },
    ...extra,
  };
}

describe('web render functions', () => {
  test('code points: BOM, emoji and flags count as 1, 1 and 2', () => {
    const text = '\uFEFFa😀b🇬🇧c';
    assert.equal(codePointLength(text), 7);
    assert.equal(codePointLength(text), Array.from(text).length);
    assert.deepEqual(codePointToUnitMap(text), [0, 1, 2, 4, 5, 7, 9, 10]);
    assert.equal(sliceCodePoints(text, 2, 3), '😀');
    assert.equal(sliceCodePoints(text, 4, 6), '🇬🇧');
    assert.equal(sliceCodePoints(text, 0, 1), '\uFEFF');
    assert.equal(sliceCodePoints(text, 6, 99), 'c', 'clamped');
    // A lone surrogate is one code point, as in Array.from.
    assert.equal(codePointLength('a\uD800b'), 3);
  });

  test('code-point slices equal Array.from slices for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(30), fc.nat(30), (text, a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const cps = Array.from(text);
        assert.equal(sliceCodePoints(text, start, end), cps.slice(start, end).join(''));
      }),
    );
  });

  test('segments: nested spans split the outer one, outermost listed first', () => {
    const spans = [span(2, 5), span(0, 10)];
    assert.deepEqual(orderSpans(spans), [1, 0]);
    assert.deepEqual(buildSegments(12, spans), [
      { start: 0, end: 2, spans: [1] },
      { start: 2, end: 5, spans: [1, 0] },
      { start: 5, end: 10, spans: [1] },
      { start: 10, end: 12, spans: [] },
    ]);
  });

  test('segments: overlapping, identical and touching spans', () => {
    assert.deepEqual(buildSegments(8, [span(0, 5), span(3, 8)]), [
      { start: 0, end: 3, spans: [0] },
      { start: 3, end: 5, spans: [0, 1] },
      { start: 5, end: 8, spans: [1] },
    ]);
    assert.deepEqual(buildSegments(4, [span(1, 3), span(1, 3)]), [
      { start: 0, end: 1, spans: [] },
      { start: 1, end: 3, spans: [0, 1] },
      { start: 3, end: 4, spans: [] },
    ]);
    assert.deepEqual(buildSegments(4, [span(0, 2), span(2, 4)]), [
      { start: 0, end: 2, spans: [0] },
      { start: 2, end: 4, spans: [1] },
    ]);
    // Invalid offsets are ignored rather than breaking the page.
    assert.deepEqual(buildSegments(3, [span(2, 9), span(2, 2), span(-1, 1)]), [
      { start: 0, end: 3, spans: [] },
    ]);
  });

  test('segments cover the text exactly, each with precisely the spans covering it', () => {
    const arbSpans = fc.array(
      fc
        .tuple(fc.nat(40), fc.integer({ min: 1, max: 15 }))
        .map(([s, n]) => ({ start: s, end: s + n })),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(arbSpans, (spans: Range[]) => {
        const length = 60;
        const segments = buildSegments(length, spans);
        let at = 0;
        for (const seg of segments) {
          assert.equal(seg.start, at, 'contiguous');
          assert.ok(seg.end > seg.start);
          at = seg.end;
          const expected = spans
            .map((s, i) => ({ s, i }))
            .filter(({ s }) => s.start <= seg.start && s.end >= seg.end)
            .map(({ i }) => i);
          assert.deepEqual(
            [...seg.spans].sort((a, b) => a - b),
            expected,
          );
          // Outermost first: starts ascend, and equal starts put longer spans first.
          const order = orderSpans(spans);
          assert.deepEqual(
            seg.spans,
            order.filter((i) => seg.spans.includes(i)),
          );
        }
        assert.equal(at, length, 'covers the whole text');
      }),
    );
  });

  test('blocks: title line, paragraphs, spans across a line break, tags after the last piece', () => {
    const text = '\uFEFFBig 🇬🇧 Title\n\nFirst line here\nsecond line\r\n';
    const cps = Array.from(text);
    const first = cps.indexOf('F');
    const cross = span(first + 6, first + 22); // "line here\nsecond"
    const inTitle = span(5, 8); // the flag and a space
    const blocks = layoutBlocks(text, [cross, inTitle], 'Big 🇬🇧 Title');
    assert.deepEqual(
      blocks.map((b) => b.kind),
      ['title', 'paragraph', 'paragraph'],
    );
    const pieces = blocks.flatMap((b) => b.pieces);
    // Every piece is exactly the code-point slice of its range.
    for (const p of pieces) assert.equal(p.text, cps.slice(p.start, p.end).join(''));
    // The text without newlines is preserved in order.
    assert.equal(pieces.map((p) => p.text).join(''), text.replace(/[\r\n]/g, ''));
    const titlePieces = blocks[0]?.pieces ?? [];
    assert.equal(titlePieces.find((p) => p.spans.includes(1))?.text, '🇬🇧 ');
    const crossPieces = pieces.filter((p) => p.spans.includes(0));
    assert.deepEqual(
      crossPieces.map((p) => p.text),
      ['line here', 'second'],
    );
    assert.deepEqual(crossPieces[0]?.endsSpans, []);
    assert.deepEqual(crossPieces[1]?.endsSpans, [0], 'tag after the last piece');
    assert.equal(layoutBlocks('No title\nbody', [], 'Other')[0]?.kind, 'paragraph');
  });

  test('blocks: nested spans ending together put the inner tag first', () => {
    const blocks = layoutBlocks('abcdefghij', [span(0, 10), span(5, 10)]);
    const last = blocks[0]?.pieces.at(-1);
    assert.deepEqual(last?.spans, [0, 1]);
    assert.deepEqual(last?.endsSpans, [1, 0]);
  });

  test('filters: threshold and hidden techniques; counts; top sentences', () => {
    const s: Span = {
      ...span(0, 3),
      techniques: [
        {
          technique: 'Loaded_Language',
          id: 'loaded-language',
          name: 'Loaded language',
          confidence: 0.8,
        },
        { technique: 'Doubt', id: 'doubt', name: 'Doubt', confidence: 0.3 },
      ],
    };
    assert.equal(visibleTechniques(s, { threshold: 0, hidden: new Set() }).length, 2);
    assert.deepEqual(
      visibleTechniques(s, { threshold: 0.5, hidden: new Set() }).map((t) => t.technique),
      ['Loaded_Language'],
    );
    assert.deepEqual(
      visibleTechniques(s, { threshold: 0.5, hidden: new Set(['Loaded_Language']) }),
      [],
    );
    assert.deepEqual([...techniqueCounts([s, span(4, 5)], 0.4)], [['Loaded_Language', 2]]);
    const sentences = [0.1, 0.9, 0, 0.5, 0.9].map((score, index) => ({
      index,
      start: index * 10,
      end: index * 10 + 5,
      text: `s${index}`,
      score,
      spans: 1,
    }));
    assert.deepEqual(
      topSentences(sentences).map((x) => x.index),
      [1, 4, 3],
    );
  });

  test('formatting, colours, slugs and snippets', () => {
    assert.equal(formatPercent(0.2135), '21%');
    assert.equal(formatPercent(0.004), '<1%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(safeColor('#AABBCC'), '#aabbcc');
    assert.equal(safeColor('red;background:url(x)'), '#cccccc');
    assert.equal(segmentBackground(['#112233']), '#112233');
    assert.match(segmentBackground(['#112233', '#445566']), /^repeating-linear-gradient\(/);
    assert.equal(fileSlug('Traitors <b>Exposed</b>: Ça va?'), 'traitors-b-exposed-b-ca-va');
    assert.equal(fileSlug('😀'), 'article');
    assert.deepEqual(parseSnippet('a «b» c «d»'), [
      { text: 'a ', match: false },
      { text: 'b', match: true },
      { text: ' c ', match: false },
      { text: 'd', match: true },
    ]);
    assert.deepEqual(parseSnippet('<img src=x>'), [{ text: '<img src=x>', match: false }]);
  });

  test('review: a phrase typed instead of selected is found in code points, past taken places', () => {
    const text = '😡 Stand firm. 🇺🇸 Stand firm!';
    assert.deepEqual(findPhrase(text, ' Stand firm ', []), { start: 2, end: 12 });
    assert.deepEqual(findPhrase(text, 'Stand firm', [{ start: 2, end: 12 }]), {
      start: 17,
      end: 27,
    });
    assert.equal(findPhrase(text, 'Stand firm', [{ start: 0, end: 30 }]), null);
    assert.equal(findPhrase(text, 'absent', []), null);
    const draft = new ReviewDraft([{ start: 2, end: 12, techniques: ['Slogans'] }]);
    draft.relabel(0, ['Doubt']);
    draft.add(17, 27, ['Slogans']);
    draft.accept(1);
    assert.deepEqual(draft.spans, [
      { start: 2, end: 12, techniques: ['Doubt'] },
      { start: 17, end: 27, techniques: ['Slogans'], accepted: true },
    ]);
    draft.undo();
    draft.undo();
    draft.reject(0);
    assert.deepEqual(draft.spans, []);
    draft.undo();
    assert.deepEqual(draft.spans, [{ start: 2, end: 12, techniques: ['Doubt'] }]);
  });

  test('review: in a draft, a span left as the model had it keeps its confidence and cues', () => {
    const text = 'These traitors lie. Stand firm, stand proud!';
    const model = record(text, [span(6, 14), span(20, 30, 'Doubt', 0.3), span(32, 43)]).analysis;
    const review: ReviewedSpan[] = [
      { start: 0, end: 5, techniques: ['Doubt'] }, // added
      { start: 6, end: 14, techniques: ['Loaded_Language'] }, // untouched
      { start: 20, end: 30, techniques: ['Loaded_Language'] }, // relabelled
      { start: 32, end: 43, techniques: ['Loaded_Language'], accepted: true },
    ];
    const shown = (draft: boolean) =>
      withReviewedSpans(text, model, review, { draft }).spans.map((s) => [
        s.text,
        formatConfidence(s.techniques[0]!.confidence),
        s.cues.length,
      ]);
    assert.deepEqual(shown(true), [
      ['These', 'reviewed', 0],
      ['traitors', '50%', 1],
      ['Stand firm', 'reviewed', 0],
      ['stand proud', 'reviewed', 0],
    ]);
    // Saved, every span is the reviewer's call.
    assert.ok(shown(false).every(([, confidence]) => confidence === 'reviewed'));
  });

  test('corpus entries: ISO dates for every reader, and "+N more" when techniques are cut', () => {
    assert.equal(isoDate('2024-03-02'), '2024-03-02');
    assert.equal(isoDate('2026-12-06T10:09:34.260Z'), '2026-12-06');
    assert.equal(isoDate('spring 2024'), 'spring 2024');
    const counts = { Doubt: 2, Slogans: 0, Repetition: 5, 'Flag-Waving': 1, Loaded_Language: 9 };
    assert.deepEqual(mostFrequent(counts, 2), {
      top: [
        ['Loaded_Language', 9],
        ['Repetition', 5],
      ],
      more: 2,
    });
    assert.equal(mostFrequent(counts, 4).more, 0);
  });

  test('the UI code never parses strings as HTML', () => {
    const dir = join(import.meta.dirname, '../web/src');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      assert.doesNotMatch(
        source,
        /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/,
        file,
      );
    }
  });

  test('escaping covers the five HTML metacharacters', () => {
    assert.equal(
      escapeHtml(`<script>a & "b" 'c'</script>`),
      '&lt;script&gt;a &amp; &quot;b&quot; &#39;c&#39;&lt;/script&gt;',
    );
  });

  test('exported HTML escapes everything, has marks with titles, a legend and no scripts', () => {
    const text =
      'Evil <b>title</b>\n\nThe <script>window.__pwned=1</script> traitors lie. <img src=x onerror="window.__pwned=1"> 😀 Doubt it.\n';
    const cps = Array.from(text);
    const at = (needle: string) => Array.from(text.slice(0, text.indexOf(needle))).length;
    const spans = [
      span(at('<script>'), at(' traitors') + 9, 'Loaded_Language', 0.81),
      span(at('Doubt'), at('Doubt') + 8, 'Doubt', 0.42),
      span(at('traitors'), at('traitors') + 8, 'Doubt', 0.3), // nested in the first
    ];
    const rec = record(text, spans, {
      title: 'Evil <b>title</b>',
      source: '"><script>alert(1)</script>',
    });
    const html = exportHtml(
      { ...rec, analysis: { ...rec.analysis, title: 'Evil <b>title</b>' } },
      CATALOGUE,
      { generatedAt: '2024-01-01' },
    );
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<b>/);
    assert.match(html, /&lt;script&gt;window\.__pwned=1&lt;\/script&gt;/);
    assert.match(html, /&lt;img src=x onerror=&quot;window\.__pwned=1&quot;&gt;/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /<mark [^>]*title="Loaded language 81%"/);
    assert.match(
      html,
      /<mark [^>]*title="Loaded language 81% \| Doubt 30%"[^>]*repeating-linear-gradient/,
    );
    assert.match(html, /<span class="tag" title="Doubt 30%"[^>]*>2<\/span>/);
    assert.match(html, /class="legend"><li>.*Loaded language \(1\).*Doubt \(2\)/);
    assert.match(html, /Offsets count code points/);
    // The outer span alone, then outer + nested, then the separate span.
    assert.equal(html.match(/<mark /g)?.length, 3);
    assert.ok(html.includes('😀'));
    // Hidden techniques and the threshold remove marks.
    const filtered = exportHtml(rec, CATALOGUE, {
      filter: { threshold: 0.5, hidden: new Set(['Loaded_Language']) },
    });
    assert.doesNotMatch(filtered, /<mark /);
    assert.equal(cps.length, rec.analysis.length);
    const json = JSON.parse(exportJson(rec)) as AnalysisRecord;
    assert.equal(json.analysis.offsetUnit, 'codepoint');
    assert.equal(json.text, text);
  });
});

// =======================================================================================
// The built UI against the real server, in Chromium

const EXAMPLE_MARKUP_SCRIPT = '<script>window.__pwned=1</script>';
const EXAMPLE_MARKUP_IMG = '<img src=x onerror="window.__pwned=1">';
const XSS_TITLE = 'Traitors <b>exposed</b> & "shamed" <img src=x onerror="window.__pwned=1">';
const XSS_TEXT = `${XSS_TITLE}

The corrupt elites ${EXAMPLE_MARKUP_SCRIPT} have betrayed our great nation once again.
These shameless traitors ${EXAMPLE_MARKUP_IMG} must be stopped before they destroy everything we love.
Every true patriot knows the truth, and every true patriot will stand up and fight!
`;
const XSS_SOURCE = '<svg onload="window.__pwned=1">Pwn Gazette';

const EMOJI_TEXT = `\uFEFF🇺🇦 Flags 🎉 and Traitors 😡

😡😡 The corrupt elites have betrayed our great nation again 🇬🇧🇫🇷 and they laugh at us.
🔥 These shameless traitors must be stopped before they destroy everything we love 💔.
Every true patriot 🇺🇸 knows the truth: our glorious homeland will never surrender!
Are these so-called experts really telling the truth? 🤔 Nobody believes them any more.
`;

/** In-page WCAG contrast scan of visible text over solid backgrounds (a string: no helpers). */
const CONTRAST_SCAN = String.raw`(() => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = (rgb) => {
    const ch = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch(rgb[0]) + 0.7152 * ch(rgb[1]) + 0.0722 * ch(rgb[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const failures = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.closest('[hidden], script, style, canvas, option')) continue;
    if (el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const fg = parse(style.color);
    let bg = null;
    let unknown = false;
    for (let node = el; node; node = node.parentElement) {
      const s = getComputedStyle(node);
      if (s.backgroundImage !== 'none') { unknown = true; break; }
      const c = parse(s.backgroundColor);
      if (c && c[3] >= 0.99) { bg = c; break; }
    }
    if (unknown) continue;
    bg = bg || [255, 255, 255, 1];
    checked++;
    const r = ratio(fg, bg);
    if (r < 4.5) failures.push({ text: el.textContent.trim().slice(0, 40), tag: el.tagName, color: style.color, bg: bg.join(','), ratio: Math.round(r * 100) / 100 });
  }
  return { checked, failures };
})()`;

const skip = browserSkipReason();
if (skip) console.log(`# web UI browser tests skipped: ${skip}`);

describe('web UI in Chromium', { skip }, () => {
  let server: WebServer | undefined;
  let browser: Browser | undefined;
  let base = '';
  const downloads = mkdtempSync(join(tmpdir(), 'spinscope-web-downloads-'));

  before(async () => {
    requireChromium();
    ensureBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startServer();
    base = server.url;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(downloads, { recursive: true, force: true });
  });

  interface Session {
    context: BrowserContext;
    page: Page;
    /** Page errors, console errors and blocked external requests. */
    problems: string[];
    close(): Promise<void>;
  }

  /** A fresh browser context: no external network, every page error collected. */
  async function open(
    viewport = { width: 1280, height: 800 },
    options: { reducedMotion?: 'reduce' | 'no-preference'; allowHttpErrors?: boolean } = {},
  ): Promise<Session> {
    assert.ok(browser, 'browser started');
    const context = await browser.newContext({
      viewport,
      acceptDownloads: true,
      reducedMotion: options.reducedMotion ?? 'no-preference',
    });
    const problems: string[] = [];
    const origin = new URL(base).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      const local = ['data:', 'blob:', pathToFileURL(downloads).href];
      if (url.startsWith(origin) || local.some((prefix) => url.startsWith(prefix))) {
        return route.continue();
      }
      problems.push(`external request: ${url}`);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium logs every 4xx answer; tests of error handling expect those.
      if (
        options.allowHttpErrors &&
        /^Failed to load resource: .* status of 4\d\d/.test(message.text())
      ) {
        return;
      }
      problems.push(`console error: ${message.text()}`);
    });
    return {
      context,
      page,
      problems,
      close: async () => {
        await context.close();
        assert.deepEqual(problems, [], 'no page errors, console errors or external requests');
      },
    };
  }

  async function ready(page: Page, hash = ''): Promise<void> {
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector('body[data-ready="true"]');
  }

  async function loadExample(page: Page): Promise<void> {
    await ready(page);
    await page.click('#load-example');
    await page.waitForSelector('#article-body mark.hl');
    assert.equal(await textWithoutTags(page, '#article-title'), EXAMPLE_TITLE);
  }

  /** Analyse `text` through the textarea (optionally with a source) and wait for the result. */
  async function analyseText(page: Page, text: string, source?: string): Promise<AnalysisRecord> {
    await ready(page);
    await page.fill('#input-text', text);
    if (source !== undefined) {
      await page.click('details.more summary');
      await page.fill('#input-source', source);
    }
    await page.click('#analyse-text');
    await page.waitForFunction(() => location.hash.startsWith('#/analysis/'));
    await page.waitForSelector('#result:not([hidden]) #article-body p');
    const id = decodeURIComponent(new URL(page.url()).hash.slice('#/analysis/'.length));
    const response = await fetch(`${base}/api/v1/analyses/${encodeURIComponent(id)}`);
    assert.equal(response.status, 200);
    return (await response.json()) as AnalysisRecord;
  }

  /** Text of an element without the technique name tags inside it. */
  const textWithoutTags = (page: Page, selector: string) =>
    page.$eval(selector, (el) => {
      const clone = el.cloneNode(true) as Element;
      clone.querySelectorAll('.tag').forEach((t) => t.remove());
      return clone.textContent;
    });

  /** Tick "show all": every highlight, however unsure. */
  const showAllHighlights = (page: Page) =>
    page.getByLabel('Show all highlights, however unsure (for research)').check();

  const countTags = (page: Page, selector = '') =>
    page.locator(`#article button.tag${selector}`).count();

  test('input: empty text, a refused URL (server message shown), .txt and .html uploads', async () => {
    const s = await open({ width: 1280, height: 800 }, { allowHttpErrors: true });
    try {
      const { page } = s;
      await ready(page);
      await page.click('#analyse-text');
      assert.match((await page.textContent('#analyse-error')) ?? '', /Paste the text/);

      // The server refuses loopback addresses; the UI shows its message verbatim.
      const url = 'http://127.0.0.1:9/article';
      const direct = await fetch(`${base}/api/v1/analyze/url`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      assert.ok(direct.status >= 400);
      const { error } = (await direct.json()) as { error: { message: string } };
      await page.fill('#input-url', url);
      await page.click('#url-form button[type=submit]');
      await page.waitForFunction(
        (message) => document.getElementById('analyse-error')?.textContent === message,
        error.message,
      );
      assert.equal(await page.isVisible('#analyse-error'), true);
      assert.equal(await page.isHidden('#result'), true);

      await page.fill('#input-text', 'An earlier article, pasted before the upload.');
      await page.setInputFiles('#input-file', {
        name: 'upload.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(
          'Plain Upload Title\n\nThe corrupt traitors are destroying our proud nation again.\n',
        ),
      });
      await page.waitForSelector('#result:not([hidden])');
      await page.waitForFunction(() =>
        document.getElementById('article-title')?.textContent?.startsWith('Plain Upload Title'),
      );
      assert.equal(await page.isHidden('#analyse-error'), true, 'the old error is gone');
      assert.equal(await page.inputValue('#input-text'), '', 'the pasted article is gone');
      assert.doesNotMatch((await page.textContent('#article-meta')) ?? '', /upload\.txt/);

      await page.setInputFiles('#input-file', {
        name: 'upload.html',
        mimeType: 'text/html',
        buffer: Buffer.from(
          '<!doctype html><html><head><title>Html Upload Title | The Riverside Courier</title>' +
            '<meta property="og:site_name" content="The Riverside Courier"></head><body><article>' +
            '<h1>Html Upload Title</h1><p>The corrupt traitors are destroying our proud nation.</p>' +
            '<p>Every true patriot knows it, and every patriot will fight.</p></article></body></html>',
        ),
      });
      await page.waitForFunction(() =>
        /Html Upload Title/.test(document.getElementById('article-title')?.textContent ?? ''),
      );
      assert.equal(await textWithoutTags(page, '#article-title'), 'Html Upload Title');
      assert.match((await page.textContent('#article-meta')) ?? '', /^The Riverside Courier · /);
      const body = (await page.textContent('#article-body')) ?? '';
      assert.match(body, /corrupt traitors/);
      assert.doesNotMatch(body, /<p>|<h1>/, 'HTML became article text');
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('the example article shows highlights, name tags, a legend and a summary', async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      const marks = await page.locator('#article-body mark.hl').count();
      const tags = await countTags(page);
      assert.ok(marks > 0 && tags > 0, `${marks} highlights, ${tags} tags`);
      // Highlight text is #111 on a technique colour; every tag names a technique.
      const colors = await page.$$eval('mark.hl', (els) =>
        els.map((e) => getComputedStyle(e).color),
      );
      assert.ok(
        colors.every((c) => c === 'rgb(17, 17, 17)'),
        colors.join(),
      );
      // Markers are technique numbers (as in the legend); their names show on hover and focus.
      const markers = await page.$$eval('#article button.tag', (els) =>
        els.map((e) => [e.textContent, e.getAttribute('data-name')]),
      );
      assert.ok(
        markers.every(
          ([n, name]) => /^\d+(·\d+)*$/.test(n ?? '') && /^[A-Z][a-z].* \d+%/.test(name ?? ''),
        ),
        JSON.stringify(markers),
      );
      const legendNumbers = await page.$$eval('#legend .swatch', (els) =>
        els.map((e) => e.textContent),
      );
      assert.ok(
        markers.every(([n]) => (n ?? '').split('·').every((k) => legendNumbers.includes(k))),
      );
      const legend = page.locator('#legend button.legend-item');
      assert.ok((await legend.count()) > 0);
      assert.equal(await legend.first().getAttribute('aria-pressed'), 'true');
      // The legend lists only techniques with a highlight at the confidence shown.
      const counts = await page.$$eval('#legend .legend-count', (els) =>
        els.map((el) => Number(el.textContent)),
      );
      assert.ok(
        counts.every((n) => n > 0),
        `legend counts ${counts.join(', ')}`,
      );
      assert.match((await page.textContent('#summary')) ?? '', /propaganda score[\s\S]*Density/);
      assert.equal(await page.locator('.top-sentences button').count(), 3);
      assert.match((await page.textContent('footer.about')) ?? '', /Offsets count code points/);
      await page.screenshot({ path: join(SCREENSHOTS, 'analyse-laptop.png'), fullPage: true });
      // Clicking a top sentence scrolls to it and flashes it.
      await page.click('.top-sentences li:nth-child(1) button');
      await page.waitForSelector('#article-body .flash');
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('the model picker lists the default first and analyses with the model chosen', async () => {
    const s = await open();
    try {
      const { page } = s;
      await ready(page);
      await page.waitForSelector('#input-model option:nth-child(3)', { state: 'attached' });
      const options = await page.$$eval('#input-model option', (els) =>
        els.map((e) => [(e as HTMLOptionElement).value, e.textContent]),
      );
      assert.deepEqual(options, [
        ['', 'lg: most accurate (default)'],
        ['sm', 'sm: quickest'],
        ['md', 'md: good spans, quicker'],
      ]);
      await page.selectOption('#input-model', 'sm');
      await page.fill(
        '#input-text',
        'Harbour\n\nOnly traitors would doubt the glorious harbour plan.',
      );
      await page.click('#analyse-text');
      await page.waitForFunction(() => location.hash.startsWith('#/analysis/'));
      await page.waitForSelector('#result:not([hidden]) #article-body p');
      assert.match((await page.textContent('#article-meta')) ?? '', /model sm /u);
      assert.deepEqual(s.problems, []);
    } finally {
      await s.close();
    }
  });

  test('a legend toggle hides its technique and shows it again', async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      // A technique that some tag shows alone: hiding it removes those tags, while a tag that
      // shows another technique too stays, with that one.
      const tagLabels = await page
        .locator('#article button.tag')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-techniques') ?? ''));
      const legendLabels = await page
        .locator('#legend button.legend-item')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-label') ?? ''));
      const label = legendLabels.find((l) => tagLabels.includes(l)) ?? '';
      assert.ok(label, 'some technique is the only one of a tag');
      const alone = tagLabels.filter((t) => t === label).length;
      const button = page.locator(`#legend button.legend-item[data-label="${label}"]`);
      const selector = `[data-techniques~="${label}"]`;
      const before = await countTags(page, selector);
      const total = await countTags(page);
      assert.ok(before > 0);
      await button.click();
      assert.equal(
        await page
          .locator(`#legend button.legend-item[data-label="${label}"]`)
          .getAttribute('aria-pressed'),
        'false',
      );
      assert.equal(await countTags(page, selector), 0, 'its highlights disappear');
      assert.equal(await countTags(page), total - alone, 'tags with another technique stay');
      // Keyboard: focus stayed on the toggle; Space turns it back on.
      await page.keyboard.press('Space');
      assert.equal(await countTags(page, selector), before, 'and come back');
      assert.equal(
        await page
          .locator(`#legend button.legend-item[data-label="${label}"]`)
          .getAttribute('aria-pressed'),
        'true',
      );
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('readers see the surer highlights by default; "show all" and the slider show more', async () => {
    for (const [viewport, name] of [
      [{ width: 1366, height: 768 }, 'confidence-laptop'],
      [{ width: 390, height: 844 }, 'confidence-phone'],
    ] as const) {
      const s = await open(viewport);
      try {
        const { page } = s;
        await loadExample(page);
        const slider = page.locator('input[type=range]#threshold');
        assert.equal(
          await page.locator('label[for="threshold"]').textContent(),
          'Confidence threshold',
        );
        // The reader's default: every highlight has a technique at or above it.
        const byDefault = `${Math.round(READER_MIN_CONFIDENCE * 100)}%`;
        assert.equal(await slider.inputValue(), String(READER_MIN_CONFIDENCE));
        assert.equal(await page.textContent('#threshold-value'), byDefault);
        const shown = await countTags(page);
        const best = async () =>
          (
            await page.$$eval('#article button.tag', (els) =>
              els.map((e) => e.getAttribute('aria-label') ?? ''),
            )
          ).map((l) => Math.max(...[...l.matchAll(/(\d+)%/g)].map((m) => Number(m[1]))));
        for (const b of await best()) assert.ok(b >= READER_MIN_CONFIDENCE * 100 - 0.5, `${b}%`);
        assert.match(
          (await page.textContent('#visible-count')) ?? '',
          new RegExp(`^${shown} of \\d+ spans highlighted at ≥ ${byDefault} confidence$`),
        );
        // What the number means, in the details of a highlight.
        await page.locator('#article button.tag').first().click();
        assert.equal(await page.textContent('#details .confidence-note'), CONFIDENCE_MEANING);
        await page.keyboard.press('Escape');
        // The summary and the filters as a reader sees them (a phone: the filters on screen).
        await page.locator('#filters-heading').scrollIntoViewIfNeeded();
        await page.screenshot({
          path: join(SCREENSHOTS, `${name}.png`),
          fullPage: viewport.width > 1000,
        });
        // "Show all" shows every highlight and sets the slider aside; unticked, it is back.
        await showAllHighlights(page);
        assert.ok(await slider.isDisabled());
        const all = await countTags(page);
        assert.ok(all > shown, `${all} highlights in all, ${shown} by default`);
        assert.match(
          (await page.textContent('#visible-count')) ?? '',
          /^(\d+) of \1 spans highlighted$/,
        );
        await page.getByLabel('Show all highlights, however unsure (for research)').uncheck();
        assert.equal(await countTags(page), shown);
        // The slider, by keyboard: 90% hides more; Home shows all; Reset filters goes back.
        await slider.focus();
        await page.keyboard.press('End'); // 1.0
        for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft'); // 0.90
        assert.equal(await slider.inputValue(), '0.9');
        assert.equal(await page.textContent('#threshold-value'), '90%');
        for (const b of await best()) assert.ok(b >= 90, `${b}%`);
        await page.keyboard.press('Home');
        assert.equal(await countTags(page), all);
        await page.click('#reset-filters');
        assert.equal(await countTags(page), shown);
      } catch (error) {
        await s.context.close(); // report the test's own failure, not follow-up noise
        throw error;
      }
      await s.close();
    }
  });

  test('span details open by keyboard (Tab, Enter), by click and on hover; Escape closes', async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      const rec = (await (
        await fetch(`${base}/api/v1/analyses/${new URL(page.url()).hash.split('/').pop()}`)
      ).json()) as AnalysisRecord;
      const catalogue = (await (await fetch(`${base}/api/v1/techniques`)).json()) as {
        techniques: CatalogueTechnique[];
      };
      const names = new Set(catalogue.techniques.map((t) => t.name));
      // Keyboard only: Tab until a span tag has focus.
      await page.locator('#main').focus();
      let onTag = false;
      for (let i = 0; i < 80 && !onTag; i++) {
        await page.keyboard.press('Tab');
        onTag = await page.evaluate(() => document.activeElement?.matches('button.tag') ?? false);
      }
      assert.ok(onTag, 'a span tag is reachable with Tab');
      const outline = await page.evaluate(
        () => getComputedStyle(document.activeElement as Element).outlineStyle,
      );
      assert.notEqual(outline, 'none', 'visible focus');
      const spanIndex = Number(
        await page.evaluate(() => (document.activeElement as HTMLElement).dataset.span),
      );
      await page.keyboard.press('Enter');
      const details = page.locator('#details');
      await details.waitFor({ state: 'visible' });
      const badge = (await details.locator('.badge').first().textContent()) ?? '';
      assert.ok(names.has(badge), `technique name shown: ${badge}`);
      assert.match(
        (await details.locator('.confidence').first().textContent()) ?? '',
        /^(<1|\d{1,3})%$/,
      );
      const explanation = catalogue.techniques.find((t) => t.name === badge)?.explanation ?? '';
      assert.equal(await details.locator('.explanation').first().textContent(), explanation);
      const cue = await details.locator('.cue').first().textContent();
      assert.equal(cue, rec.analysis.spans[spanIndex]?.cues[0]?.text, 'the first cue of the span');
      assert.equal(
        await page.locator(`button.tag[data-span="${spanIndex}"]`).getAttribute('aria-expanded'),
        'true',
      );
      await page.keyboard.press('Escape');
      await details.waitFor({ state: 'hidden' });
      assert.equal(
        await page.evaluate(() => (document.activeElement as HTMLElement).dataset.span),
        String(spanIndex),
        'focus returns to the tag',
      );

      // Mouse: click a highlight (pinned until a click elsewhere).
      const mark = page.locator('#article-body mark.hl').first();
      await mark.click();
      await details.waitFor({ state: 'visible' });
      assert.match((await details.textContent()) ?? '', /\d+%/);
      assert.ok((await details.locator('.cue').count()) > 0);
      await page.screenshot({ path: join(SCREENSHOTS, 'details-laptop.png') });
      await page.mouse.click(5, 400);
      await details.waitFor({ state: 'hidden' });

      // Hover shows the details; leaving hides them.
      await page.locator('#article-body mark.hl').last().hover();
      await details.waitFor({ state: 'visible' });
      assert.ok(names.has((await details.locator('.badge').first().textContent()) ?? ''));
      await page.mouse.move(5, 5);
      await details.waitFor({ state: 'hidden' });

      // The article drawn again under a still pointer (here by the keyboard) opens nothing
      // by itself: such a popover would cover the marker the reader goes for next.
      const last = page.locator('#article-body mark.hl').last();
      await last.hover();
      await details.waitFor({ state: 'visible' });
      await page.locator('#show-every').focus();
      await page.keyboard.press('Space');
      await page.waitForTimeout(600);
      assert.equal(await details.isVisible(), false, 'no popover the pointer did not ask for');
      await page.mouse.move(5, 5);
      await last.hover();
      await details.waitFor({ state: 'visible' });
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('exports: JSON is the AnalysisRecord, HTML is self-contained with marks and no scripts', async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      await showAllHighlights(page); // the HTML export shows what the page shows
      const id = new URL(page.url()).hash.split('/').pop() ?? '';

      const [jsonDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-json'),
      ]);
      assert.match(jsonDownload.suggestedFilename(), /\.json$/);
      const jsonPath = join(downloads, 'export.json');
      await jsonDownload.saveAs(jsonPath);
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as AnalysisRecord;
      assert.equal(json.analysis.offsetUnit, 'codepoint');
      assert.equal(json.id, id);
      assert.ok(json.analysis.spans.length > 0);

      const [htmlDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-html'),
      ]);
      assert.match(htmlDownload.suggestedFilename(), /\.html$/);
      const htmlPath = join(downloads, 'export.html');
      await htmlDownload.saveAs(htmlPath);
      const html = readFileSync(htmlPath, 'utf8');
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /<link|src=|@import|url\(/i, 'self-contained');
      assert.match(html, /<style>/);
      const markCount = html.match(/<mark /g)?.length ?? 0;
      assert.ok(markCount >= json.analysis.spans.length, `${markCount} marks`);
      assert.match(html, /<mark [^>]*title="[^"]+ \d+%/);
      assert.match(html, /class="legend"/);

      // The file renders on its own.
      const viewer = await s.context.newPage();
      await viewer.goto(pathToFileURL(htmlPath).href);
      assert.equal(await viewer.locator('mark').count(), markCount);
      assert.equal(await viewer.locator('script').count(), 0);
      assert.equal(await textWithoutTags(viewer, 'h1'), EXAMPLE_TITLE);
      await viewer.screenshot({ path: join(SCREENSHOTS, 'export-laptop.png'), fullPage: true });
      await viewer.close();
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('markup in an article is shown as text and never runs (live view, corpus, export)', async () => {
    const s = await open();
    try {
      const { page } = s;
      const rec = await analyseText(page, XSS_TEXT, XSS_SOURCE);
      assert.equal(rec.text, XSS_TEXT);
      await page.waitForTimeout(300); // give an injected handler every chance to run
      assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);
      // The article's text without the span markers, which may fall inside the markup.
      const body = await textWithoutTags(page, '#article-body');
      assert.ok(body.includes(EXAMPLE_MARKUP_SCRIPT), 'the <script> tag shows as text');
      assert.ok(body.includes(EXAMPLE_MARKUP_IMG), 'the <img> tag shows as text');
      assert.equal(await textWithoutTags(page, '#article-title'), XSS_TITLE);
      assert.ok(((await page.textContent('#article-meta')) ?? '').includes(XSS_SOURCE));
      assert.equal(
        await page.locator('#article img, #article script, #article b, #article svg').count(),
        0,
      );

      // The corpus list shows the title, source and snippet as text too.
      await page.goto(`${base}/#/corpus`);
      await page.fill('#corpus-q', 'elites');
      await page.press('#corpus-q', 'Enter');
      await page.waitForFunction(
        () => document.querySelectorAll('#corpus-list .corpus-item').length === 1,
      );
      assert.equal(await page.textContent('#corpus-list .corpus-title'), XSS_TITLE);
      assert.ok(((await page.textContent('#corpus-list')) ?? '').includes(XSS_SOURCE));
      assert.equal(
        await page.locator('#corpus-list img, #corpus-list svg, #corpus-list b').count(),
        0,
      );
      assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);

      // The exported page too, opened in the browser.
      await page.click('#corpus-list .corpus-title');
      await page.waitForSelector('#view-analyse:not([hidden]) #article-body p');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-html'),
      ]);
      const path = join(downloads, 'xss.html');
      await download.saveAs(path);
      const html = readFileSync(path, 'utf8');
      assert.doesNotMatch(html, /<script|<img|<svg|<b>/i);
      assert.ok(
        html
          .replace(/<span class="tag"[^>]*>[^<]*<\/span>/g, '') // span markers may fall inside
          .replace(/<[^>]*>/g, '')
          .includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'),
        'the markup is escaped text (highlights aside)',
      );
      const viewer = await s.context.newPage();
      await viewer.goto(pathToFileURL(path).href);
      await viewer.waitForTimeout(200);
      assert.equal(
        await viewer.evaluate(() => (window as { __pwned?: unknown }).__pwned),
        undefined,
      );
      const text = (await textWithoutTags(viewer, 'article')) ?? '';
      assert.ok(text.includes(EXAMPLE_MARKUP_SCRIPT) && text.includes(EXAMPLE_MARKUP_IMG));
      assert.equal(await textWithoutTags(viewer, 'h1'), XSS_TITLE);
      assert.equal(await viewer.locator('script, img, svg, b').count(), 0);
      await viewer.close();
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('emoji, flags and a BOM: every highlight is the exact code-point slice', async () => {
    const s = await open();
    try {
      const { page } = s;
      const rec = await analyseText(page, EMOJI_TEXT);
      await showAllHighlights(page);
      assert.equal(rec.text, EMOJI_TEXT, 'BOM and emoji survive the round trip');
      const cps = Array.from(rec.text);
      assert.ok(rec.analysis.spans.length > 0, 'the model found spans');
      const marks = await page.$$eval('#article mark.hl', (els) =>
        els.map((e) => ({
          start: Number(e.getAttribute('data-start')),
          end: Number(e.getAttribute('data-end')),
          spans: (e.getAttribute('data-spans') ?? '').split(' ').map(Number),
          text: e.textContent ?? '',
        })),
      );
      assert.ok(marks.length > 0);
      for (const m of marks) assert.equal(m.text, cps.slice(m.start, m.end).join(''));
      // Each span's highlighted text, joined, is its code-point slice (newlines aside).
      rec.analysis.spans.forEach((sp, i) => {
        const slice = cps.slice(sp.start, sp.end).join('');
        assert.equal(sp.text, slice, 'the server agrees');
        const shown = marks
          .filter((m) => m.spans.includes(i))
          .map((m) => m.text)
          .join('');
        assert.equal(shown, slice.replace(/[\r\n]/g, ''));
      });
      // The test means something: some highlight starts after astral characters, where
      // UTF-16 and code-point offsets differ.
      assert.ok(
        marks.some((m) => rec.text.indexOf(m.text) !== m.start && m.start > 1),
        'a highlight after emoji',
      );
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('corpus: lists analyses, searches, filters, pages, charts, opens one', async () => {
    const post = async (text: string, source: string, date: string, title?: string) => {
      const response = await fetch(`${base}/api/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, source, date, ...(title ? { title } : {}) }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as AnalysisRecord;
    };
    await post(
      'Zephyrine Scandal\n\nThe zephyrine cartel and its shameless puppets are destroying our proud nation.\nOnly a fool would believe their lies.\n',
      'Daily Drum',
      '2024-01-15',
    );
    await post(
      'Harbour Panic\n\nIf we do nothing, the invaders will flood every street we love.\nEveryone knows the mayor is a corrupt liar.\n',
      'Weekly Whistle',
      '2024-03-02',
    );
    for (let i = 0; i < 11; i++) {
      await post(
        `Paging story ${i}\n\nStory number ${i}: the disgraceful council betrayed our great town again, ${i} times over.\n`,
        'Paging Post',
        `2023-${String((i % 12) + 1).padStart(2, '0')}-10`,
      );
    }
    const all = (await (await fetch(`${base}/api/v1/analyses?limit=1`)).json()) as {
      total: number;
    };
    const s = await open();
    try {
      const { page } = s;
      await ready(page, '#/corpus');
      assert.equal(await page.locator('#view-corpus').isVisible(), true);
      await page.waitForSelector('#corpus-list .corpus-item');
      assert.match((await page.textContent('#corpus-count')) ?? '', new RegExp(`of ${all.total} `));
      assert.equal(
        await page.locator('#corpus-list .corpus-item').count(),
        Math.min(10, all.total),
      );
      const first = page.locator('#corpus-list .corpus-item').first();
      assert.match(
        (await first.locator('.corpus-meta').textContent()) ?? '',
        /score \d\.\d\d · \d+ spans?/,
      );

      // Charts render: canvases with drawn pixels.
      for (const id of ['chart-source', 'chart-time']) {
        await page.waitForFunction(
          (canvasId) => {
            const c = document.getElementById(canvasId) as HTMLCanvasElement | null;
            if (!c || c.width === 0 || c.height === 0) return false;
            const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            if (data) for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
            return painted > 2000;
          },
          id,
          { timeout: 10_000 },
        );
      }
      assert.match(
        (await first.locator('.corpus-meta').textContent()) ?? '',
        / · \d{4}-\d{2}-\d{2} · /,
      );
      const sourceChart = (await page.getAttribute('#chart-source', 'aria-label')) ?? '';
      assert.match(sourceChart, /^Technique labels for each source/);
      assert.match(sourceChart, /Daily Drum \d+/);
      assert.match(sourceChart, /Weekly Whistle \d+/);
      await page.waitForTimeout(400); // let the bars finish growing for the screenshot
      await page.screenshot({ path: join(SCREENSHOTS, 'corpus-laptop.png'), fullPage: true });

      // Full-text search narrows the list; the match is marked in the snippet.
      await page.fill('#corpus-q', 'zephyrine');
      await page.waitForFunction(() =>
        /of 1 /.test(document.getElementById('corpus-count')?.textContent ?? ''),
      );
      assert.equal(await page.locator('#corpus-list .corpus-item').count(), 1);
      assert.equal(await page.textContent('#corpus-list .corpus-title'), 'Zephyrine Scandal');
      assert.match((await page.textContent('#corpus-list .snippet mark')) ?? '', /zephyrine/i);

      // Source filter and paging.
      await page.fill('#corpus-q', '');
      await page.selectOption('#corpus-source', 'Paging Post');
      await page.waitForFunction(() =>
        /1–10 of 11 /.test(document.getElementById('corpus-count')?.textContent ?? ''),
      );
      assert.equal(await page.isDisabled('#corpus-prev'), true);
      await page.click('#corpus-next');
      await page.waitForFunction(() =>
        /11–11 of 11 /.test(document.getElementById('corpus-count')?.textContent ?? ''),
      );
      assert.equal(await page.locator('#corpus-list .corpus-item').count(), 1);
      assert.equal(await page.isDisabled('#corpus-next'), true);
      assert.equal(await page.textContent('#corpus-page'), 'Page 2 of 2');

      // Technique filter: the UI shows what the API says for that technique.
      await page.selectOption('#corpus-source', '');
      const technique = 'Loaded_Language';
      const expected = (await (
        await fetch(`${base}/api/v1/analyses?limit=1&technique=${technique}`)
      ).json()) as { total: number };
      await page.selectOption('#corpus-technique', technique);
      const pattern =
        expected.total === 0
          ? '^No stored analysis matches\\.$'
          : `of ${expected.total} analys[ie]s matching`;
      await page.waitForFunction(
        (p) => new RegExp(p).test(document.getElementById('corpus-count')?.textContent ?? ''),
        pattern,
      );

      // Opening an item shows it in the analyse view.
      await page.selectOption('#corpus-technique', '');
      await page.fill('#corpus-q', 'zephyrine');
      await page.waitForFunction(
        () => document.querySelectorAll('#corpus-list .corpus-item').length === 1,
      );
      await page.click('#corpus-list .corpus-title');
      await page.waitForSelector('#view-analyse:not([hidden]) #result:not([hidden])');
      assert.equal(await textWithoutTags(page, '#article-title'), 'Zephyrine Scandal');
      assert.equal(await page.locator('#view-corpus').isVisible(), false);
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('nested and overlapping spans: striped stretches, one tag per span, all in the details', async () => {
    // The shipped model never overlaps spans; future ones will. Take a real stored record
    // and add a nested and an overlapping span to it on its way to the page.
    const stored = await (
      await fetch(`${base}/api/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text: 'Nested Spans\n\nThe 🇬🇧 shameless traitors betrayed our proud nation and everything we love.\n',
        }),
      })
    ).json();
    const storedRecord = stored as AnalysisRecord;
    const cps = Array.from(storedRecord.text);
    const at = (needle: string) =>
      Array.from(storedRecord.text.slice(0, storedRecord.text.indexOf(needle))).length;
    const make = (
      start: number,
      end: number,
      label: TechniqueLabel,
      name: string,
      confidence: number,
    ): Span => ({
      start,
      end,
      text: cps.slice(start, end).join(''),
      confidence,
      techniques: [{ technique: label, id: techniqueByLabel(label)!.id, name, confidence }],
      cues: [{ text: `cue for ${name}`, source: 'span' as const, weight: 1 }],
    });
    const outer = make(
      at('shameless'),
      at(' and everything'),
      'Loaded_Language',
      'Loaded language',
      0.7,
    );
    const inner = make(
      at('traitors'),
      at(' betrayed'),
      'Name_Calling,Labeling',
      'Name calling / labeling',
      0.6,
    );
    const overlap = make(at('our proud'), at(' we love'), 'Flag-Waving', 'Flag-waving', 0.5);
    const rec: AnalysisRecord = {
      ...storedRecord,
      analysis: { ...storedRecord.analysis, spans: [outer, inner, overlap] },
    };
    const s = await open();
    try {
      const { page } = s;
      await page.route(`${base}/api/v1/analyses/${rec.id}`, (route) =>
        route.fulfill({ json: rec }),
      );
      await ready(page, `#/analysis/${rec.id}`);
      await page.waitForSelector('#article-body mark.hl');
      const marks = await page.$$eval('#article-body mark.hl', (els) =>
        els.map((e) => ({
          spans: e.getAttribute('data-spans'),
          text: e.textContent,
          background: getComputedStyle(e).backgroundImage,
        })),
      );
      assert.deepEqual(
        marks.map((m) => [m.spans, m.text]),
        [
          ['0', 'shameless '],
          ['0 1', 'traitors'],
          ['0', ' betrayed '],
          ['0 2', 'our proud nation'],
          ['2', ' and everything'],
        ],
      );
      for (const m of marks) {
        assert.equal(m.background.startsWith('repeating-linear-gradient'), m.spans?.includes(' '));
      }
      // One marker per span: the technique's number in the catalogue, its name on hover.
      const tags = await page.$$eval('#article button.tag', (els) =>
        els.map((e) => [e.getAttribute('data-span'), e.textContent, e.getAttribute('data-name')]),
      );
      assert.deepEqual(
        tags.map(([span, marker, name]) => [span, marker, name?.replace(/ \d+%$/u, '')]),
        [
          ['1', '10', 'Name calling / labeling'],
          ['0', '9', 'Loaded language'],
          ['2', '8', 'Flag-waving'],
        ],
      );
      await page.click('#article-body mark.hl[data-spans="0 1"]');
      const details = page.locator('#details');
      await details.waitFor({ state: 'visible' });
      assert.equal(await details.locator('h2').textContent(), 'Overlapping spans');
      assert.deepEqual(await details.locator('.badge').allTextContents(), [
        'Name calling / labeling',
        'Loaded language',
      ]);
      await page.screenshot({ path: join(SCREENSHOTS, 'overlap-laptop.png') });
      // Hiding the outer span's technique leaves the others intact.
      await page.click('#legend button[data-label="Loaded_Language"]');
      assert.deepEqual(
        await page.$$eval('#article-body mark.hl', (els) =>
          els.map((e) => e.getAttribute('data-spans')),
        ),
        ['1', '2', '2'],
      );
    } catch (error) {
      await s.context.close();
      throw error;
    }
    await s.close();
  });

  test('phone width (375 px): single column, no horizontal scroll, details as a sheet', async () => {
    const s = await open({ width: 375, height: 812 });
    try {
      const { page } = s;
      const noHorizontalScroll = async (where: string) => {
        const [scroll, width] = await page.evaluate(() => [
          document.documentElement.scrollWidth,
          document.documentElement.clientWidth,
        ]);
        assert.ok(scroll <= width, `${where}: page ${scroll}px wide in a ${width}px viewport`);
      };
      await loadExample(page);
      await noHorizontalScroll('analyse view');
      const [side, article] = await Promise.all([
        page.locator('aside.side').boundingBox(),
        page.locator('#article').boundingBox(),
      ]);
      assert.ok(side && article && article.y >= side.y + side.height - 1, 'stacked in one column');
      await page.screenshot({ path: join(SCREENSHOTS, 'analyse-phone.png'), fullPage: true });
      await page.locator('#article button.tag').first().click();
      const sheet = await page.locator('#details').boundingBox();
      assert.ok(
        sheet && sheet.x >= 0 && sheet.x + sheet.width <= 375 + 0.5,
        'details fit the screen',
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'details-phone.png') });
      await page.keyboard.press('Escape');
      await page.goto(`${base}/#/corpus`);
      await page.waitForSelector('#corpus-list .corpus-item');
      await page.waitForTimeout(500);
      await noHorizontalScroll('corpus view');
      await page.screenshot({ path: join(SCREENSHOTS, 'corpus-phone.png'), fullPage: true });
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  for (const viewport of [
    { name: 'laptop', width: 1366, height: 768 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    test(`at ${viewport.width} px an opened explanation lies inside the viewport and off its span`, async () => {
      const s = await open({ width: viewport.width, height: viewport.height });
      try {
        const { page } = s;
        await loadExample(page);
        const tags = page.locator('#article-body button.tag');
        const count = await tags.count();
        let markedWords = 0;
        // The first, a middle and the last span of the article: near the top, mid-page and
        // near the bottom, where a popover below its span would overflow.
        for (const k of [...new Set([0, Math.floor(count / 2), count - 1])]) {
          const tag = tags.nth(k);
          const span = await tag.getAttribute('data-span');
          await tag.scrollIntoViewIfNeeded();
          await tag.click();
          await page.waitForSelector('#details:not([hidden])');
          await page.waitForTimeout(150); // the position is computed after the popover shows
          const geometry = await page.evaluate((index) => {
            const box = document.getElementById('details')!.getBoundingClientRect();
            const rects = [...document.querySelectorAll(`#article mark.hl[data-spans~="${index}"]`)]
              .flatMap((m) => [...m.getClientRects()])
              .map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom }));
            return {
              box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
              rects,
              viewport: { width: window.innerWidth, height: window.innerHeight },
            };
          }, span);
          const { box, rects, viewport: vp } = geometry;
          const where = `span ${span}: box ${JSON.stringify(box)}`;
          assert.ok(box.left >= -0.5 && box.right <= vp.width + 0.5, `${where} fits across`);
          assert.ok(box.top >= -0.5 && box.bottom <= vp.height + 0.5, `${where} fits down`);
          assert.ok(rects.length > 0, `${where}: the span has highlighted pieces`);
          for (const r of rects) {
            const overlaps =
              r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top;
            assert.ok(!overlaps, `${where} covers its span at ${JSON.stringify(r)}`);
          }
          // The cues come first, before the techniques' general explanations, and show
          // without scrolling the box (a sheet on a phone).
          const cues = await page.evaluate(() => {
            const list = document.querySelector('#details .cues');
            const explanation = document.querySelector('#details .explanation')!;
            return (
              list && {
                first: Boolean(
                  list.compareDocumentPosition(explanation) & Node.DOCUMENT_POSITION_FOLLOWING,
                ),
                top: list.getBoundingClientRect().top,
              }
            );
          });
          if (cues) {
            assert.ok(cues.first, `${where}: cues before the explanation`);
            assert.ok(cues.top < box.bottom, `${where}: cues in sight at ${cues.top}`);
          }
          // The words that weighed most are marked inside the quoted phrase.
          for (const word of await page.locator('#details .quote mark.cue-word').allTextContents())
            assert.ok(((await page.textContent('#details .quote')) ?? '').includes(word));
          markedWords += await page.locator('#details .quote mark.cue-word').count();
          await page.keyboard.press('Escape');
        }
        assert.ok(markedWords > 0, 'cue words are marked in the quotes');
        // The README's view: the phrase with the most cues, opened from its marker.
        const id = new URL(page.url()).hash.split('/').pop()!;
        const rec = (await (await fetch(`${base}/api/v1/analyses/${id}`)).json()) as AnalysisRecord;
        const spans = rec.analysis.spans;
        const most = spans.reduce(
          (m, sp, i) => (sp.cues.length > spans[m]!.cues.length ? i : m),
          0,
        );
        const mostTag = page.locator(`#article button.tag[data-span="${most}"]`);
        await mostTag.scrollIntoViewIfNeeded();
        await mostTag.click();
        await page.waitForSelector('#details:not([hidden])');
        await page.waitForTimeout(150);
        await page.screenshot({ path: join(SCREENSHOTS, `explanation-${viewport.name}.png`) });
        await page.keyboard.press('Escape');
        // No doubled quotation marks around the quoted phrase.
        await tags.first().click();
        const quote = (await page.textContent('#details .quote')) ?? '';
        assert.doesNotMatch(quote, /^“["'“‘]|["'”’]”$/u, quote);
        assert.equal(await page.locator('#details .span-confidence').count(), 0);
      } catch (error) {
        await s.context.close(); // report the test's own failure, not follow-up noise
        throw error;
      }
      await s.close();
    });
  }

  test("a marker's names show beside it on hover and focus, never over the line above", async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      const tip = page.locator('#marker-tip');
      const tags = page.locator('#article-body button.tag');
      const count = await tags.count();
      for (const k of [...new Set([0, Math.floor(count / 2), count - 1])]) {
        const tag = tags.nth(k);
        await tag.scrollIntoViewIfNeeded();
        await tag.hover();
        await tip.waitFor({ state: 'visible' });
        await page.waitForTimeout(100); // placed once Floating UI has measured
        assert.equal(await tip.textContent(), await tag.getAttribute('data-name'));
        const t = (await tip.boundingBox())!;
        const m = (await tag.boundingBox())!;
        const where = `marker ${k}: tip ${JSON.stringify(t)}, marker ${JSON.stringify(m)}`;
        assert.ok(t.y >= m.y - 0.5, `${where}: not above the marker`);
        assert.ok(t.x >= m.x + m.width || t.x + t.width <= m.x, `${where}: beside it`);
        assert.ok(t.x >= 0 && t.x + t.width <= 1366, `${where}: inside the page`);
        await page.mouse.move(5, 5);
        await tip.waitFor({ state: 'hidden' });
      }
      // Keyboard focus shows it too.
      await page.locator('#main').focus();
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.matches('button.tag'))) break;
      }
      await tip.waitFor({ state: 'visible' });
      assert.equal(
        await tip.textContent(),
        await page.evaluate(() => (document.activeElement as HTMLElement).dataset.name),
      );
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('on a phone an analysis, and a link to one, opens on the article; a link folds the form', async () => {
    const s = await open({ width: 390, height: 844 });
    try {
      const { page } = s;
      await loadExample(page);
      // Right after "Load example", the phone shows the article, not the summary above it.
      const analysed = await page.locator('#article-title').boundingBox();
      assert.ok(
        analysed && analysed.y >= 0 && analysed.y < 200,
        `after analysing, the article is at the top: ${analysed?.y}`,
      );
      const link = page.url();
      await page.goto('about:blank');
      await page.goto(link);
      await page.waitForSelector('#result:not([hidden]) #article-body mark.hl');
      assert.equal(await page.locator('#input-text').isVisible(), false);
      const again = page.locator('#new-analysis');
      assert.equal(await again.isVisible(), true);
      const title = await page.locator('#article-title').boundingBox();
      assert.ok(
        title && title.y >= 0 && title.y < 844,
        `the article starts on screen: ${title?.y}`,
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'analysis-link-phone.png') });
      await again.click();
      assert.equal(await page.locator('#input-text').isVisible(), true);
      assert.equal(await again.isVisible(), false);
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('review: accept, reject, relabel, add (and undo), save; after a reload the review is still there', async () => {
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      await page.waitForFunction(() => location.hash.startsWith('#/analysis/'));
      const id = decodeURIComponent(page.url().split('#/analysis/')[1]!);
      await page.waitForFunction(
        () => document.querySelector('#review-status')?.textContent !== '',
      );
      assert.equal(await page.textContent('#review-status'), 'Not reviewed yet');
      await page.click('#review-toggle');
      assert.equal(await page.locator('#review-panel').isVisible(), true);
      const markers = page.locator('#article button.tag'); // the title's too
      const before = await markers.count();
      // Accept the last span: it stays, marked as accepted, and is now a person's call; until
      // then it keeps the model's confidence.
      await markers.last().click();
      assert.match((await page.textContent('#details .confidence')) ?? '', /%$/);
      await page.click('#details .review-controls button:has-text("Accept")');
      assert.equal(await markers.count(), before);
      await markers.last().click();
      assert.equal(await page.textContent('#details .confidence'), 'reviewed');
      // Reject the first span.
      await markers.first().click();
      await page.click('#details .review-controls button:has-text("Reject")');
      assert.equal(await markers.count(), before - 1);
      // Relabel the (new) first span as Doubt: the button names what it will apply.
      await markers.first().click();
      await page.selectOption('#details .review-change select', 'Doubt');
      await page.click('#details .review-change button:has-text("Change to Doubt")');
      assert.equal(await markers.first().getAttribute('data-techniques'), 'Doubt');
      // Add a phrase the model missed: select its words, press Add; undo, add again.
      const select = () =>
        page.evaluate(() => {
          const piece = [...document.querySelectorAll('#article-body span[data-start]')].find((e) =>
            (e.textContent ?? '').includes('petition'),
          )!;
          const node = piece.firstChild!;
          const at = (node.textContent ?? '').indexOf('signing the petition');
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 'signing the petition'.length);
          getSelection()!.removeAllRanges();
          getSelection()!.addRange(range);
        });
      await page.selectOption('#review-technique', 'Bandwagon,Reductio_ad_hitlerum');
      await select();
      await page.click('#review-add');
      assert.equal(await markers.count(), before);
      await page.click('#review-undo');
      assert.equal(await markers.count(), before - 1);
      // The keyboard's way: type the words and press "Add these words".
      await page.fill('#review-phrase', 'signing the petition');
      await page.focus('#review-add-phrase');
      await page.keyboard.press('Enter');
      const added = page.locator('#article-body mark.hl', { hasText: 'signing the petition' });
      assert.equal(await added.count(), 1);
      await page.fill('#reviewer', 'Ana');
      await page.click('#review-save');
      await page.waitForFunction(() =>
        (document.querySelector('#review-status')?.textContent ?? '').startsWith('Reviewed by Ana'),
      );
      const saved = (await (await fetch(`${base}/api/v1/analyses/${id}/review`)).json()) as {
        review: { spans: { techniques: string[] }[] };
      };
      assert.equal(saved.review.spans.length, before);
      assert.ok(
        saved.review.spans.some((sp) => sp.techniques[0] === 'Bandwagon,Reductio_ad_hitlerum'),
      );
      assert.equal(
        saved.review.spans.filter((sp) => (sp as { accepted?: boolean }).accepted).length,
        1,
      );
      await page.screenshot({ path: join(SCREENSHOTS, 'review-laptop.png') });

      // Reload: the review is still there, and reviewing starts from it.
      await page.reload();
      await page.waitForSelector('#article-body mark.hl');
      await page.waitForFunction(() =>
        (document.querySelector('#review-status')?.textContent ?? '').startsWith('Reviewed by Ana'),
      );
      await page.click('#review-toggle');
      assert.equal(await markers.count(), before);
      assert.equal(
        await page.locator('#article-body mark.hl', { hasText: 'signing the petition' }).count(),
        1,
      );
      // The corpus view filters reviewed analyses.
      await page.goto(`${base}/#/corpus`);
      await page.waitForSelector('#corpus-list .corpus-item');
      await page.check('#corpus-reviewed');
      await page.waitForFunction(
        () => document.querySelectorAll('#corpus-list .corpus-item').length === 1,
      );
      assert.match((await page.textContent('#corpus-list .corpus-meta')) ?? '', /reviewed/);
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  /** A span as a saved review has it. */
  interface Saved {
    start: number;
    end: number;
    techniques: string[];
  }

  /**
   * The review flow on an article of its own: each span is found by its words, never by its
   * position, and the details must show the span whose marker was pressed.
   */
  async function reviewer(page: Page, text: string) {
    const record = await analyseText(page, text);
    const chars = Array.from(text);
    const slice = (sp: Saved) => chars.slice(sp.start, sp.end).join('');
    const nameOf = (label: string) => techniqueByLabel(label)?.name ?? label;
    const expected: Saved[] = record.analysis.spans.map((sp) => ({
      start: sp.start,
      end: sp.end,
      techniques: sp.techniques.map((t) => t.technique),
    }));
    const sort = () => expected.sort((a, b) => a.start - b.start || a.end - b.end);
    const overlaps = (a: Saved, b: Saved) => a.start < b.end && b.start < a.end;
    const phraseCount = (phrase: string) => text.split(phrase).length - 1;
    /** Spans with one highlight and their own marker: on one line, overlapping nothing. */
    const alone = () =>
      expected.filter(
        (a) =>
          !slice(a).includes('\n') &&
          phraseCount(slice(a)) === 1 &&
          !expected.some((b) => b !== a && overlaps(a, b)),
      );
    /** Spans as they were last saved: from then on the reviewer's call. */
    const saved = new Set<Saved>();
    /** The model's own span where `span` is as the model had it (not a person's call). */
    const modelSpan = (span: Saved) =>
      record.analysis.spans.find(
        (sp) =>
          sp.start === span.start &&
          sp.end === span.end &&
          sp.techniques.map((t) => t.technique).join() === span.techniques.join(),
      );
    /** Press the marker of `span` and check that the details and its tooltip show that span. */
    const openSpan = async (span: Saved) => {
      const phrase = slice(span);
      const mark = page
        .locator('#article mark.hl')
        .filter({ hasText: new RegExp(`^${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
      assert.equal(await mark.count(), 1, `one highlight for "${phrase}"`);
      const marker = mark.locator('xpath=following-sibling::button[contains(@class, "tag")][1]');
      const tooltip = await marker.getAttribute('data-name');
      await marker.click();
      const edges = /^["'“”‘’«»]+|["'“”‘’«»]+$/gu;
      assert.equal(
        (await page.textContent('#details .quote'))?.replace(/^“|”$/gu, ''),
        phrase.replace(edges, ''),
      );
      const heads = await page
        .locator('#details .technique-head')
        .evaluateAll((els) =>
          els.map(
            (el) =>
              `${el.querySelector('.badge')?.textContent} ${el.querySelector('.confidence')?.textContent}`,
          ),
        );
      // Untouched and not saved yet, the model's confidences; else a person's call.
      const model = saved.has(span) ? undefined : modelSpan(span);
      assert.deepEqual(
        heads,
        model
          ? model.techniques.map((t) => `${t.name} ${formatConfidence(t.confidence)}`)
          : span.techniques.map((t) => `${nameOf(t)} reviewed`),
      );
      assert.equal(tooltip, heads.join(' · '));
    };
    const save = async () => {
      for (const span of expected) saved.add(span);
      await page.fill('#reviewer', 'Ana');
      await Promise.all([
        page.waitForResponse(
          (r) => r.url().endsWith(`/analyses/${record.id}`) && r.request().method() === 'GET',
        ),
        page.click('#review-save'),
      ]);
      await page.waitForFunction(() =>
        (document.querySelector('#review-status')?.textContent ?? '').startsWith('Reviewed by Ana'),
      );
    };
    const startReview = async () => {
      await page.click('#review-toggle');
      await page.waitForSelector('#review-panel:not([hidden])');
    };
    const adds = ['Doubt', 'Slogans', 'Flag-Waving', 'Repetition'];
    const actions = {
      async reject() {
        const span = alone()[0]!;
        await openSpan(span);
        await page.click('#details .review-controls button:has-text("Reject")');
        expected.splice(expected.indexOf(span), 1);
      },
      async relabel() {
        const spans = alone();
        const span = spans[spans.length - 1]!;
        const to = span.techniques.includes('Doubt') ? 'Slogans' : 'Doubt';
        await openSpan(span);
        await page.selectOption('#details .review-change select', to);
        await page.click(`#details .review-change button:has-text("Change to ${nameOf(to)}")`);
        span.techniques = [to];
      },
      async add() {
        // A word that occurs once and is not highlighted yet.
        const word = [...text.matchAll(/\p{L}{5,}/gu)].find((m) => {
          const start = Array.from(text.slice(0, m.index)).length;
          const free = { start, end: start + Array.from(m[0]).length, techniques: [] };
          return phraseCount(m[0]) === 1 && !expected.some((b) => overlaps(free, b));
        })!;
        const start = Array.from(text.slice(0, word.index)).length;
        const technique = adds[expected.length % adds.length]!;
        await page.selectOption('#review-technique', technique);
        await page.fill('#review-phrase', word[0]);
        await page.click('#review-add-phrase');
        expected.push({ start, end: start + Array.from(word[0]).length, techniques: [technique] });
      },
      async reopen() {
        await save();
        await page.reload();
        await page.waitForSelector('body[data-ready="true"] #article-body mark.hl');
        await startReview();
      },
    };
    /** The saved review and the analysis the API shows agree with `expected`, span by span. */
    const check = async (order: string) => {
      await save();
      sort();
      const state = (await (await fetch(`${base}/api/v1/analyses/${record.id}/review`)).json()) as {
        review: { spans: Saved[] };
      };
      assert.deepEqual(
        state.review.spans.map(({ start, end, techniques }) => ({ start, end, techniques })),
        expected,
        order,
      );
      const shown = (await (
        await fetch(`${base}/api/v1/analyses/${record.id}`)
      ).json()) as AnalysisRecord;
      assert.deepEqual(
        shown.analysis.spans.map((sp) => sp.text),
        expected.map(slice),
        order,
      );
    };
    return { record, expected, actions, check, startReview, slice, alone, openSpan, modelSpan };
  }

  test('review: reject, add, relabel and reopen in every order save what the page showed', async () => {
    const s = await open();
    try {
      const { page } = s;
      const flow = await reviewer(page, `${EXAMPLE_TEXT}Every order, once.\n`);
      await flow.startReview();
      const names = ['reject', 'add', 'relabel', 'reopen'] as const;
      const orders = (rest: readonly (typeof names)[number][]): (typeof names)[number][][] =>
        rest.length === 0
          ? [[]]
          : rest.flatMap((first) =>
              orders(rest.filter((n) => n !== first)).map((tail) => [first, ...tail]),
            );
      const all = orders(names);
      assert.equal(all.length, 24);
      for (const order of all) {
        for (const action of order) await flow.actions[action]();
        await flow.check(order.join(', '));
      }
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('a saved review is what the page, legend, corpus and downloads show afterwards', async () => {
    const s = await open();
    try {
      const { page } = s;
      const flow = await reviewer(page, `${EXAMPLE_TEXT}Reviewed, then read.\n`);
      const rejected = flow.slice(flow.alone()[0]!);
      await flow.startReview();
      await flow.actions.reject();
      await flow.actions.add();
      await flow.check('reject, add');
      const addedSpan = flow.expected.find((sp) => !flow.modelSpan(sp))!; // a person's call
      const added = flow.slice(addedSpan);
      const highlighted = (phrase: string) =>
        page.locator('#article mark.hl').filter({ hasText: phrase }).count();
      const counts = new Map<string, number>();
      for (const t of flow.expected.flatMap((sp) => sp.techniques))
        counts.set(t, (counts.get(t) ?? 0) + 1);
      const shows = async () => {
        assert.equal(await highlighted(rejected), 0, `"${rejected}" was rejected`);
        assert.equal(await highlighted(added), 1, `"${added}" was added`);
        const legend = await page
          .locator('#legend button.legend-item')
          .evaluateAll((els) =>
            els.map((el) => [
              (el as HTMLElement).dataset.label,
              Number(el.querySelector('.legend-count')?.textContent),
            ]),
          );
        assert.deepEqual(new Map(legend as [string, number][]), counts);
        assert.match(
          (await page.textContent('#review-status')) ?? '',
          /^Reviewed by Ana on \d{4}-/,
        );
        await flow.openSpan(addedSpan);
        assert.match((await page.textContent('#details .confidence-note')) ?? '', /Reviewed/);
        assert.doesNotMatch((await page.textContent('#details')) ?? '', /\d%/);
        await page.keyboard.press('Escape');
      };
      // Out of review mode, and after a reload: the review, not the model's spans.
      await page.click('#review-toggle');
      await shows();
      await page.reload();
      await page.waitForSelector('body[data-ready="true"] #article-body mark.hl');
      await page.waitForFunction(
        () => document.querySelector('#review-status')?.textContent !== '',
      );
      await shows();

      const [jsonDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-json'),
      ]);
      const jsonPath = join(downloads, 'reviewed.json');
      await jsonDownload.saveAs(jsonPath);
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as AnalysisRecord;
      assert.equal(json.reviewed?.by, 'Ana');
      assert.deepEqual(
        json.analysis.spans.map((sp) => sp.text),
        flow.expected.map(flow.slice),
      );
      assert.ok(json.analysis.spans.every((sp) => sp.confidence === null));
      const [htmlDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#export-html'),
      ]);
      const htmlPath = join(downloads, 'reviewed.html');
      await htmlDownload.saveAs(htmlPath);
      const html = readFileSync(htmlPath, 'utf8');
      assert.match(html, /Reviewed by Ana on \d{4}-/);
      assert.match(html, /title="Doubt reviewed"/);
      assert.doesNotMatch(html, /\d+%"/, 'no confidences in the reviewed marks');

      // The corpus counts the review's spans.
      await page.goto(`${base}/#/corpus`);
      await page.fill('#corpus-q', 'Reviewed then read');
      await page.click('#corpus-form button[type=submit]');
      await page.waitForFunction(
        () => document.querySelectorAll('#corpus-list .corpus-item').length === 1,
      );
      assert.match(
        (await page.textContent('#corpus-list .corpus-meta')) ?? '',
        new RegExp(`${flow.expected.length} spans · reviewed`),
      );
      // "Reviewed only": the box beside its words, on one line.
      const box = (await page.locator('#corpus-reviewed').boundingBox())!;
      const label = (await page.locator('label.inline-check').boundingBox())!;
      const middle = (r: { y: number; height: number }) => r.y + r.height / 2;
      assert.ok(Math.abs(middle(box) - middle(label)) < 4, 'the box sits beside its words');
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('contrast: catalogue colours behind #111 and all page text meet 4.5:1', async () => {
    const catalogue = (await (await fetch(`${base}/api/v1/techniques`)).json()) as {
      techniques: CatalogueTechnique[];
    };
    assert.equal(catalogue.techniques.length, 14);
    for (const t of catalogue.techniques) {
      const ratio = contrastRatio(hexToRgb(t.color), [17, 17, 17]);
      assert.ok(ratio >= 4.5, `${t.name} ${t.color}: ${ratio.toFixed(2)}`);
    }
    const s = await open();
    try {
      const { page } = s;
      await loadExample(page);
      await page.locator('#article button.tag').first().click(); // details open too
      for (const view of ['analyse', 'corpus']) {
        if (view === 'corpus') {
          await page.goto(`${base}/#/corpus`);
          await page.waitForSelector('#corpus-list .corpus-item');
        }
        const result = (await page.evaluate(CONTRAST_SCAN)) as {
          checked: number;
          failures: unknown[];
        };
        assert.ok(result.checked > 20, `${view}: checked ${result.checked} elements`);
        assert.deepEqual(result.failures, [], `${view}: text below 4.5:1`);
      }
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });

  test('reduced motion: no animations', async () => {
    const s = await open({ width: 1280, height: 800 }, { reducedMotion: 'reduce' });
    try {
      const { page } = s;
      await loadExample(page);
      await page.click('.top-sentences li:nth-child(1) button');
      const flash = page.locator('#article-body .flash').first();
      await flash.waitFor();
      assert.equal(await flash.evaluate((e) => getComputedStyle(e).animationName), 'none');
    } catch (error) {
      await s.context.close(); // report the test's own failure, not follow-up noise
      throw error;
    }
    await s.close();
  });
});
