/**
 * The corpus view: stored analyses with full-text search, technique and source filters and
 * paging, plus two charts (techniques by source, techniques over time).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import * as api from './api.js';
import { $, h, prefersReducedMotion, replace } from './dom.js';
import { isoDate, mostFrequent, parseSnippet, safeColor, type CatalogueByLabel } from './render.js';

/** Techniques named on a corpus entry; the rest are counted ("+2 more"). */
const MINI_TAGS = 4;
import type { AnalysisSummary, CatalogueTechnique, Stats } from './types.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PAGE_SIZE = 10;

export interface CorpusDeps {
  catalogue: () => readonly CatalogueTechnique[];
  byLabel: () => CatalogueByLabel;
}

export class CorpusView {
  private offset = 0;
  private total = 0;
  private query: { q: string; technique: string; source: string; reviewed?: boolean } = {
    q: '',
    technique: '',
    source: '',
  };
  private charts: Chart[] = [];
  private requestId = 0;

  private readonly form = $<HTMLFormElement>('#corpus-form');
  private readonly q = $<HTMLInputElement>('#corpus-q');
  private readonly technique = $<HTMLSelectElement>('#corpus-technique');
  private readonly source = $<HTMLSelectElement>('#corpus-source');
  private readonly reviewed = $<HTMLInputElement>('#corpus-reviewed');
  private readonly list = $('#corpus-list');
  private readonly count = $('#corpus-count');
  private readonly error = $('#corpus-error');
  private readonly prev = $<HTMLButtonElement>('#corpus-prev');
  private readonly next = $<HTMLButtonElement>('#corpus-next');
  private readonly page = $('#corpus-page');

  /** A search waiting for typing to pause. */
  private pendingSearch: number | undefined;

  constructor(private readonly deps: CorpusDeps) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search();
    });
    this.q.addEventListener('input', () => {
      window.clearTimeout(this.pendingSearch);
      this.pendingSearch = window.setTimeout(() => this.search(), 300);
    });
    this.technique.addEventListener('change', () => this.search());
    this.source.addEventListener('change', () => this.search());
    this.reviewed.addEventListener('change', () => this.search());
    this.prev.addEventListener('click', () => this.go(this.offset - PAGE_SIZE));
    this.next.addEventListener('click', () => this.go(this.offset + PAGE_SIZE));
  }

  /** Fill the technique filter from the catalogue (once it is loaded). */
  setCatalogue(catalogue: readonly CatalogueTechnique[]): void {
    replace(
      this.technique,
      h('option', { value: '' }, 'All techniques'),
      ...catalogue.map((t) => h('option', { value: t.label }, t.name)),
    );
  }

  /** Reload list and charts (each time the view is shown). */
  async load(): Promise<void> {
    await Promise.all([this.loadList(), this.loadStats()]);
  }

  private search(): void {
    // Any search reads the box as it is now, so a pending one would only repeat it later
    // (and send the user back to page 1 after they had paged on).
    window.clearTimeout(this.pendingSearch);
    this.query = {
      q: this.q.value.trim(),
      technique: this.technique.value,
      source: this.source.value,
      ...(this.reviewed.checked && { reviewed: true }),
    };
    this.offset = 0;
    void this.loadList();
  }

  private go(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.loadList().then(() => this.list.querySelector<HTMLElement>('a')?.focus());
  }

  private async loadList(): Promise<void> {
    const id = ++this.requestId;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const result = await api.listAnalyses({
        ...this.query,
        limit: PAGE_SIZE,
        offset: this.offset,
      });
      if (id !== this.requestId) return; // a newer search superseded this one
      this.error.hidden = true;
      this.total = result.total;
      this.renderList(result.items);
    } catch (error) {
      if (id !== this.requestId) return;
      this.error.textContent = error instanceof Error ? error.message : String(error);
      this.error.hidden = false;
    } finally {
      if (id === this.requestId) this.list.setAttribute('aria-busy', 'false');
    }
  }

  private renderList(items: AnalysisSummary[]): void {
    const byLabel = this.deps.byLabel();
    const filtered =
      this.query.q || this.query.technique || this.query.source || this.query.reviewed;
    replace(this.list, ...items.map((item) => this.renderItem(item, byLabel)));
    const first = this.total === 0 ? 0 : this.offset + 1;
    const last = this.offset + items.length;
    // The count is the one place that says so when nothing is found.
    this.count.textContent =
      this.total === 0
        ? filtered
          ? 'No stored analysis matches.'
          : 'No analyses yet: analyse an article first.'
        : `Showing ${first}–${last} of ${this.total} ${this.total === 1 ? 'analysis' : 'analyses'}${filtered ? ' matching' : ''}.`;
    const pages = Math.max(1, Math.ceil(this.total / PAGE_SIZE));
    this.page.textContent = `Page ${Math.floor(this.offset / PAGE_SIZE) + 1} of ${pages}`;
    this.prev.disabled = this.offset === 0;
    this.next.disabled = this.offset + PAGE_SIZE >= this.total;
  }

  private renderItem(item: AnalysisSummary, byLabel: CatalogueByLabel): HTMLElement {
    const { top, more } = mostFrequent(item.techniqueCounts, MINI_TAGS);
    const meta = [
      item.source ?? 'no source',
      isoDate(item.date ?? item.createdAt),
      `score ${item.score.toFixed(2)}`,
      `${item.spans} span${item.spans === 1 ? '' : 's'}`,
      ...(item.reviewed ? ['reviewed'] : []),
    ].join(' · ');
    const snippet = item.snippet
      ? h(
          'p',
          { class: 'snippet' },
          ...parseSnippet(item.snippet).map((part) =>
            part.match ? h('mark', {}, part.text) : part.text,
          ),
        )
      : null;
    return h(
      'li',
      { class: 'corpus-item' },
      h(
        'a',
        { href: `#/analysis/${encodeURIComponent(item.id)}`, class: 'corpus-title' },
        item.title ?? 'Untitled article',
      ),
      h('p', { class: 'corpus-meta' }, meta),
      snippet,
      top.length > 0
        ? h(
            'ul',
            { class: 'mini-tags', 'aria-label': 'Most frequent techniques' },
            ...top.map(([label, n]) => {
              const entry = byLabel.get(label);
              const tag = h('li', {}, `${entry?.name ?? label} ${n}`);
              tag.style.background = safeColor(entry?.color);
              return tag;
            }),
            more > 0 ? h('li', { class: 'more' }, `+${more} more`) : null,
          )
        : null,
    );
  }

  // -------------------------------------------------------------------------------------
  // Sources filter and charts

  private async loadStats(): Promise<void> {
    let stats: Stats;
    try {
      stats = await api.getStats();
    } catch (error) {
      this.error.textContent = error instanceof Error ? error.message : String(error);
      this.error.hidden = false;
      return;
    }
    const selected = this.source.value;
    replace(
      this.source,
      h('option', { value: '' }, 'All sources'),
      ...stats.sources.map((s) =>
        h(
          'option',
          { value: s.source, selected: s.source === selected },
          `${s.source} (${s.count})`,
        ),
      ),
    );
    this.renderCharts(stats);
  }

  private renderCharts(stats: Stats): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const sources = [...new Set(stats.bySource.map((r) => r.source))];
    const periods = [...new Set(stats.overTime.map((r) => r.period))].sort();
    this.charts.push(
      this.stackedBar(
        '#chart-source',
        sources,
        stats.bySource.map((r) => ({ x: r.source, technique: r.technique, count: r.count })),
        'Technique labels for each source (a span with two techniques counts twice)',
      ),
      this.stackedBar(
        '#chart-time',
        periods,
        stats.overTime.map((r) => ({ x: r.period, technique: r.technique, count: r.count })),
        'Technique labels for each month (a span with two techniques counts twice)',
      ),
    );
  }

  private stackedBar(
    selector: string,
    categories: string[],
    rows: { x: string; technique: string; count: number }[],
    description: string,
  ): Chart {
    const canvas = $<HTMLCanvasElement>(selector);
    const figure = canvas.closest('figure') as HTMLElement;
    const byLabel = this.deps.byLabel();
    const labels: string[] = this.deps
      .catalogue()
      .map((t) => t.label)
      .filter((label) => rows.some((r) => r.technique === label && r.count > 0));
    // Techniques the catalogue does not know still get a bar.
    for (const r of rows)
      if (!labels.includes(r.technique) && r.count > 0) labels.push(r.technique);
    const datasets: ChartDataset<'bar', number[]>[] = labels.map((label) => {
      const entry = byLabel.get(label);
      return {
        label: entry?.name ?? label,
        data: categories.map((x) =>
          rows.filter((r) => r.x === x && r.technique === label).reduce((n, r) => n + r.count, 0),
        ),
        backgroundColor: safeColor(entry?.color),
        borderColor: '#333333',
        borderWidth: 1,
        maxBarThickness: 72,
      };
    });
    const empty = figure.querySelector<HTMLElement>('.chart-empty');
    if (empty) empty.hidden = categories.length > 0;
    canvas.setAttribute(
      'aria-label',
      categories.length === 0
        ? `${description}: no data yet`
        : `${description}: ${describeChart(categories, datasets)}`,
    );
    this.renderTable(figure, categories, datasets);
    const narrow = window.matchMedia('(max-width: 640px)').matches;
    return new Chart(canvas, {
      type: 'bar',
      data: { labels: categories, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: prefersReducedMotion() ? false : { duration: 300 },
        scales: {
          x: {
            stacked: true,
            grid: { display: false },
            ticks: {
              color: '#333333',
              autoSkip: true,
              maxRotation: 45,
              callback: (_value, index) => shorten(categories[index] ?? '', narrow ? 14 : 24),
            },
          },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { color: '#333333', precision: 0 },
            title: { display: true, text: 'technique labels', color: '#333333' },
          },
        },
        plugins: {
          legend: {
            position: 'bottom',
            labels: {
              color: '#1a1a1a',
              boxWidth: narrow ? 10 : 14,
              font: { size: narrow ? 10 : 12 },
            },
          },
          tooltip: { mode: 'index', intersect: false },
        },
      },
    });
  }

  /** The chart's numbers as a table, for screen readers and anyone who wants exact counts. */
  private renderTable(
    figure: HTMLElement,
    categories: string[],
    datasets: ChartDataset<'bar', number[]>[],
  ): void {
    const holder = figure.querySelector<HTMLElement>('.chart-table');
    if (!holder) return;
    if (categories.length === 0) {
      holder.hidden = true;
      return;
    }
    holder.hidden = false;
    const table = h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Technique'),
          ...categories.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        ...datasets.map((d) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, String(d.label)),
            ...d.data.map((n) => h('td', {}, String(n))),
          ),
        ),
      ),
    );
    replace(
      holder,
      h('summary', {}, 'Show the numbers'),
      h('div', { class: 'table-scroll' }, table),
    );
  }
}

/** Long axis labels end in an ellipsis (the tooltip and the table keep the full text). */
function shorten(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}

function describeChart(categories: string[], datasets: ChartDataset<'bar', number[]>[]): string {
  return categories
    .map((c, i) => {
      const total = datasets.reduce((n, d) => n + (d.data[i] ?? 0), 0);
      return `${c} ${total}`;
    })
    .join(', ');
}
