/**
 * The side panel: the document's score, the legend with its toggles, the confidence filter
 * and the sentences ranked, for the tab it stands beside. The highlights themselves are in
 * the page (content.ts); the panel tells the page what to show.
 */
import '../../web/src/styles.css';
import './panel.css';
import { $, h, replace } from '../../web/src/dom.js';
import { techniqueNumbers } from '../../web/src/article.js';
import {
  catalogueByLabel,
  formatPercent,
  safeColor,
  techniqueCounts,
  topSentences,
} from '../../web/src/render.js';
import { CONFIDENCE_MEANING } from '../../src/detect/analysis.js';
import { TECHNIQUES } from '../../src/techniques/catalogue.js';
import {
  DEFAULT_FILTER,
  filterKey,
  tabKey,
  toFilter,
  type BackgroundMessage,
  type ContentMessage,
  type FilterState,
  type TabState,
} from './messages.js';
import { loadFilter, saveFilter } from './settings.js';

const byLabel = catalogueByLabel(TECHNIQUES);
const numbers = techniqueNumbers(byLabel);
const slider = $<HTMLInputElement>('#threshold');
const sliderOut = $<HTMLOutputElement>('#threshold-value');
const showAll = $<HTMLInputElement>('#show-all');

/** The tab this panel is for: `?tab=` when given (tests, screenshots), else the active tab. */
const fixedTab = Number(new URLSearchParams(location.search).get('tab')) || undefined;
let tabId: number | undefined;
let state: TabState | undefined;
let filter: FilterState = DEFAULT_FILTER;

async function activeTab(): Promise<number | undefined> {
  return fixedTab ?? (await chrome.tabs.query({ active: true, currentWindow: true }))[0]?.id;
}

function toPage(message: ContentMessage): void {
  if (tabId !== undefined) void chrome.tabs.sendMessage(tabId, message).catch(() => undefined);
}

function renderSummary(done: Extract<TabState, { status: 'done' }>): void {
  const doc = done.analysis.document;
  const meter = h('meter', {
    min: 0,
    max: 1,
    low: 0.2,
    high: 0.5,
    optimum: 0,
    value: doc.score,
    'aria-label': 'Propaganda score',
  });
  replace(
    $('#summary'),
    done.title ? h('h2', { class: 'article-name' }, done.title) : null,
    h(
      'div',
      { class: 'score' },
      h('span', { class: 'score-value' }, doc.score.toFixed(2)),
      h('span', { class: 'score-label' }, 'propaganda score (0–1)'),
    ),
    meter,
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Spans'), h('dd', {}, String(doc.spans))),
      h('div', {}, h('dt', {}, 'Words'), h('dd', {}, String(doc.words))),
      h('div', {}, h('dt', {}, 'Density'), h('dd', {}, `${doc.density} per 100 words`)),
    ),
    done.unplaced > 0
      ? h('p', { class: 'hint' }, `${done.unplaced} spans could not be placed: the page changed.`)
      : null,
  );
}

function renderLegend(done: Extract<TabState, { status: 'done' }>): void {
  const { threshold, hidden } = toFilter(filter);
  const counts = techniqueCounts(done.analysis.spans, threshold);
  const items = TECHNIQUES.filter((t) => counts.has(t.label)).map((t) => {
    const on = !hidden.has(t.label);
    const count = counts.get(t.label) ?? 0;
    const swatch = h(
      'span',
      { class: 'swatch', 'aria-hidden': 'true' },
      String(numbers.get(t.label) ?? ''),
    );
    swatch.style.background = safeColor(t.color);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'legend-item',
        'aria-pressed': String(on),
        'data-label': t.label,
        title: on ? `Hide ${t.name}` : `Show ${t.name}`,
      },
      swatch,
      h('span', { class: 'legend-name' }, t.name),
      h('span', { class: 'legend-count', 'aria-label': `${count} spans` }, String(count)),
    );
    button.addEventListener('click', () => {
      const labels = new Set(filter.hidden);
      if (on) labels.add(t.label);
      else labels.delete(t.label);
      void setFilter({ ...filter, hidden: [...labels] }).then(() =>
        $('#legend')
          .querySelector<HTMLButtonElement>(`[data-label="${CSS.escape(t.label)}"]`)
          ?.focus(),
      );
    });
    return h('li', {}, button);
  });
  replace(
    $('#legend'),
    items.length > 0
      ? h('ul', {}, ...items)
      : h(
          'p',
          { class: 'hint' },
          done.analysis.spans.length > 0
            ? 'No highlight is this sure: lower the confidence or show every highlight.'
            : 'No techniques found in this article.',
        ),
  );
}

function renderSentences(done: Extract<TabState, { status: 'done' }>): void {
  const ranked = topSentences(done.analysis.sentences, done.analysis.sentences.length);
  replace(
    $('#sentences'),
    ...(ranked.length === 0
      ? [h('li', { class: 'hint' }, 'No sentence scored above zero.')]
      : ranked.map((s) => {
          const button = h(
            'button',
            { type: 'button', class: 'sentence', 'data-start': s.start, 'data-end': s.end },
            h('span', { class: 'sentence-text' }, s.text),
            h(
              'span',
              { class: 'sentence-score' },
              `score ${s.score.toFixed(2)} · ${s.spans} span${s.spans === 1 ? '' : 's'}`,
            ),
          );
          button.addEventListener('click', () =>
            toPage({ type: 'spinscope:reveal', start: s.start, end: s.end }),
          );
          return h('li', {}, button);
        })),
  );
}

function renderControls(): void {
  slider.value = String(filter.threshold);
  slider.disabled = filter.showAll;
  showAll.checked = filter.showAll;
  sliderOut.textContent = formatPercent(filter.threshold);
  slider.setAttribute('aria-valuetext', formatPercent(filter.threshold));
}

function render(): void {
  const status = $('#status');
  const result = $('#result');
  const analyse = $<HTMLButtonElement>('#analyse');
  analyse.disabled = state?.status === 'working';
  result.hidden = state?.status !== 'done';
  document.body.setAttribute('aria-busy', String(state?.status === 'working'));
  if (!state) {
    status.textContent =
      'Click Spinscope’s toolbar button on a news article, or right-click the page and choose ' +
      '“Analyse this article with Spinscope”. The article is analysed in this browser.';
    return;
  }
  if (state.status === 'working') {
    status.textContent = state.step;
    return;
  }
  if (state.status === 'error') {
    status.textContent = state.message;
    status.classList.add('error');
    return;
  }
  status.classList.remove('error');
  const visible = state.analysis.spans.filter((span) =>
    span.techniques.some(
      (t) =>
        (t.confidence ?? 1) >= toFilter(filter).threshold && !filter.hidden.includes(t.technique),
    ),
  ).length;
  status.textContent = `${visible} of ${state.analysis.spans.length} spans highlighted in the page.`;
  $('#engine').textContent = `Model: ${state.engine}`;
  renderControls();
  renderSummary(state);
  renderLegend(state);
  renderSentences(state);
  $('#confidence-note').textContent = CONFIDENCE_MEANING;
}

async function setFilter(next: FilterState): Promise<void> {
  filter = next;
  if (tabId !== undefined) await saveFilter(tabId, filter);
  toPage({ type: 'spinscope:filter', filter });
  render();
}

async function load(): Promise<void> {
  tabId = await activeTab();
  if (tabId === undefined) return;
  state = (await chrome.storage.session.get(tabKey(tabId)))[tabKey(tabId)] as TabState | undefined;
  filter = await loadFilter(tabId);
  render();
}

slider.addEventListener('input', () => {
  void setFilter({ ...filter, threshold: Number(slider.value) });
});
showAll.addEventListener('change', () => void setFilter({ ...filter, showAll: showAll.checked }));
$('#reset').addEventListener('click', () => void setFilter(DEFAULT_FILTER));
$('#analyse').addEventListener('click', () => {
  if (tabId === undefined) return;
  const message: BackgroundMessage = { type: 'spinscope:analyse', tabId };
  void chrome.runtime.sendMessage(message);
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'session' || tabId === undefined) return;
  if (tabKey(tabId) in changes) {
    state = changes[tabKey(tabId)]?.newValue as TabState | undefined;
    render();
  }
  if (filterKey(tabId) in changes) void loadFilter(tabId).then((f) => ((filter = f), render()));
});
if (!fixedTab) chrome.tabs.onActivated.addListener(() => void load());
void load();
