/**
 * The side panel: the document's score, the legend with its toggles, the confidence filter
 * and the sentences ranked, for the tab it stands beside. The highlights themselves are in
 * the page (content.ts); the panel tells the page what to show.
 */
import '../../web/src/styles.css';
import './panel.css';
import { $, h, replace } from '../../web/src/dom.js';
import {
  documentScoreParts,
  legendContent,
  sentenceButton,
  techniqueNumbers,
} from '../../web/src/article.js';
import {
  catalogueByLabel,
  formatPercent,
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
  replace(
    $('#summary'),
    done.title ? h('h2', { class: 'article-name' }, done.title) : null,
    ...documentScoreParts(done.analysis.document),
    done.unplaced > 0
      ? h('p', { class: 'hint' }, `${done.unplaced} spans could not be placed: the page changed.`)
      : null,
  );
}

function renderLegend(done: Extract<TabState, { status: 'done' }>): void {
  const { threshold, hidden } = toFilter(filter);
  const counts = techniqueCounts(done.analysis.spans, threshold);
  replace(
    $('#legend'),
    legendContent(TECHNIQUES, counts, hidden, numbers, done.analysis.spans.length > 0),
  );
  for (const button of $('#legend').querySelectorAll<HTMLButtonElement>('.legend-item')) {
    const label = button.dataset.label!;
    button.addEventListener('click', () => {
      const labels = new Set(filter.hidden);
      if (labels.has(label)) labels.delete(label);
      else labels.add(label);
      void setFilter({ ...filter, hidden: [...labels] }).then(() =>
        $('#legend')
          .querySelector<HTMLButtonElement>(`[data-label="${CSS.escape(label)}"]`)
          ?.focus(),
      );
    });
  }
}

function renderSentences(done: Extract<TabState, { status: 'done' }>): void {
  const ranked = topSentences(done.analysis.sentences, done.analysis.sentences.length);
  replace(
    $('#sentences'),
    ...(ranked.length === 0
      ? [h('li', { class: 'hint' }, 'No sentence scored above zero.')]
      : ranked.map((s) =>
          sentenceButton(s, () => toPage({ type: 'spinscope:reveal', start: s.start, end: s.end })),
        )),
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
