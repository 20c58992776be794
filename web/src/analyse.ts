/**
 * The analyse view: input (text, file, dropped file, URL, example), the annotated article,
 * the legend with per-technique toggles, the confidence threshold, the summary and the
 * exports. Analyses run on the server (the API) or on this device (device.ts), alike shown.
 */
import * as api from './api.js';
import {
  Details,
  MarkerTip,
  PointerMoves,
  renderArticle,
  revealRange,
  documentScoreParts,
  legendContent,
  sentenceButton,
  techniqueNumbers,
  type ArticleView,
} from './article.js';
import {
  articleFromFile,
  DEVICE_DEFAULT_MODEL,
  isDeviceRecord,
  type ArticleInput,
  type DeviceAnalyser,
} from './device.js';
import { $, download, h, replace } from './dom.js';
import { EXAMPLE_SOURCE, EXAMPLE_TEXT, EXAMPLE_TITLE } from './example.js';
import {
  exportHtml,
  exportJson,
  fileSlug,
  formatPercent,
  isoDate,
  reviewedLine,
  techniqueCounts,
  topSentences,
  type CatalogueByLabel,
  type Filter,
} from './render.js';
import { findPhrase, ReviewDraft, selectedRange } from './review.js';
import type { AnalysisRecord, CatalogueTechnique, Review, TechniqueLabel } from './types.js';
import { withReviewedSpans } from '../../src/review.js';
import { READER_MIN_CONFIDENCE } from '../../src/detect/analysis.js';

export interface AnalyseDeps {
  catalogue: () => readonly CatalogueTechnique[];
  byLabel: () => CatalogueByLabel;
  /** The analyser on this device when analyses run there, null when they go to the server. */
  device: () => DeviceAnalyser | null;
  /** Called after a new analysis so the router can record it (e.g. in the URL hash). */
  onAnalysed: (record: AnalysisRecord) => void;
}

export class AnalyseView {
  /** The analysis as the API gave it: its saved review's spans when it has one. */
  private record: AnalysisRecord | null = null;
  /** What the page shows: `record`, or the draft's spans while reviewing. */
  private shown: AnalysisRecord | null = null;
  private threshold = READER_MIN_CONFIDENCE;
  private readonly hidden = new Set<string>();
  private view: ArticleView = { shown: [] };
  private readonly details: Details;
  private readonly pointer = new PointerMoves();
  private readonly markerTip = new MarkerTip($('#marker-tip'), $('#article'), this.pointer);
  private busy = false;
  private opening: string | null = null;
  private draft: ReviewDraft | null = null;

  private readonly root = $('#view-analyse');
  private readonly status = $('#analyse-status');
  private readonly error = $('#analyse-error');
  private readonly result = $('#result');
  private readonly heading = $('#article-title');
  private readonly meta = $('#article-meta');
  private readonly body = $('#article-body');
  private readonly legend = $('#legend');
  private readonly slider = $<HTMLInputElement>('#threshold');
  private readonly sliderOut = $<HTMLOutputElement>('#threshold-value');
  private readonly showEvery = $<HTMLInputElement>('#show-every');
  private readonly summary = $('#summary');

  constructor(private readonly deps: AnalyseDeps) {
    this.details = new Details($('#details'), deps.byLabel);
    document.addEventListener('mousemove', (event) => this.pointer.track(event), {
      passive: true,
    });
    this.wireInputs();
    this.wireArticle();
    this.wireControls();
    this.wireReview();
  }

  get current(): AnalysisRecord | null {
    return this.record;
  }

  // -------------------------------------------------------------------------------------
  // Input

  /** Fold the input form into one "Analyse another article" button, or open it again. */
  private collapseInput(collapsed: boolean): void {
    $('.input-panel').classList.toggle('collapsed', collapsed);
    const again = $<HTMLButtonElement>('#new-analysis');
    again.hidden = !collapsed;
    again.setAttribute('aria-expanded', String(!collapsed));
  }

  private wireInputs(): void {
    $('#new-analysis').addEventListener('click', () => {
      this.collapseInput(false);
      $('#input-text').focus();
    });
    const textForm = $<HTMLFormElement>('#text-form');
    const text = $<HTMLTextAreaElement>('#input-text');
    const title = $<HTMLInputElement>('#input-title');
    const source = $<HTMLInputElement>('#input-source');
    const date = $<HTMLInputElement>('#input-date');
    // The model picked for this page (empty: the server's default), for every way in.
    const model = () => $<HTMLSelectElement>('#input-model').value || undefined;

    textForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (text.value.trim() === '') {
        this.showError('Paste the text of an article first (or load the example).');
        text.focus();
        return;
      }
      const input: ArticleInput = { text: text.value };
      if (title.value.trim()) input.title = title.value.trim();
      if (source.value.trim()) input.source = source.value.trim();
      if (date.value) input.date = date.value;
      void this.analyse('Analysing the text…', input, model());
    });

    $('#load-example').addEventListener('click', () => {
      text.value = EXAMPLE_TEXT;
      title.value = EXAMPLE_TITLE;
      source.value = EXAMPLE_SOURCE;
      date.value = '';
      const example = { text: EXAMPLE_TEXT, title: EXAMPLE_TITLE, source: EXAMPLE_SOURCE };
      void this.analyse('Analysing the example…', example, model());
    });

    // The text box holds the article it analysed, so another article's analysis empties it.
    const clearText = (analysed: boolean) => {
      if (!analysed) return;
      text.value = '';
      title.value = '';
      date.value = '';
    };

    const fileInput = $<HTMLInputElement>('#input-file');
    const analyseFile = (file: File) => {
      const src = source.value.trim() || undefined;
      const device = this.deps.device();
      const name = model() ?? DEVICE_DEFAULT_MODEL;
      const task = device
        ? async () => device.analyse(await articleFromFile(file, src), name)
        : () => api.analyzeFile(file, src, model());
      const message = device ? device.progressMessage(name) : `Analysing ${file.name}…`;
      return this.run(message, task).then(clearText);
    };
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) void analyseFile(file).then(() => (fileInput.value = ''));
    });
    this.wireDrop(analyseFile);

    const urlForm = $<HTMLFormElement>('#url-form');
    const url = $<HTMLInputElement>('#input-url');
    urlForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = url.value.trim();
      if (!value) {
        this.showError('Enter the address of an article first.');
        url.focus();
        return;
      }
      void this.run('Fetching and analysing the page…', () => api.analyzeUrl(value, model())).then(
        clearText,
      );
    });
  }

  /** A file dropped on the input card is analysed as an uploaded one. */
  private wireDrop(analyseFile: (file: File) => unknown): void {
    const panel = $('.input-panel');
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    // A file dropped beside the card would open in the tab, leaving the page: never.
    for (const type of ['dragover', 'drop'] as const)
      window.addEventListener(type, (event) => {
        if (hasFiles(event)) event.preventDefault();
      });
    panel.addEventListener('dragover', (event) => {
      if (!hasFiles(event) || this.busy) return;
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
      panel.classList.add('dropping');
    });
    panel.addEventListener('dragleave', (event) => {
      if (!(event.relatedTarget instanceof Node && panel.contains(event.relatedTarget)))
        panel.classList.remove('dropping');
    });
    panel.addEventListener('drop', (event) => {
      panel.classList.remove('dropping');
      const file = event.dataTransfer?.files[0];
      if (file && !this.busy) void analyseFile(file);
    });
  }

  /** Analyse an article on this device or on the server, and show it. */
  private analyse(
    message: string,
    input: ArticleInput,
    model: string | undefined,
  ): Promise<boolean> {
    const device = this.deps.device();
    if (!device) return this.run(message, () => api.analyzeText({ ...input, model }));
    const name = model ?? DEVICE_DEFAULT_MODEL;
    return this.run(device.progressMessage(name), () => device.analyse(input, name));
  }

  /** Run an analysis and show it; true when it was shown. */
  private async run(message: string, task: () => Promise<AnalysisRecord>): Promise<boolean> {
    if (this.busy) return false;
    this.setBusy(true, message);
    try {
      const record = await task();
      this.show(record);
      this.deps.onAnalysed(record);
      const ms = Math.round(record.analysis.timing.milliseconds);
      this.status.textContent = record.cached
        ? 'Analysed (this text was analysed before; showing the stored result).'
        : isDeviceRecord(record)
          ? `Analysed on this device in ${ms} ms; the text stayed in this browser.`
          : `Analysed in ${ms} ms.`;
      // The article, not the summary: on a phone the summary and filters come first.
      $('#article').scrollIntoView({ block: 'start' });
      $('#article-title').focus({ preventScroll: true });
      return true;
    } catch (error) {
      this.status.textContent = '';
      this.showError(error instanceof Error ? error.message : String(error));
      return false;
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean, message = ''): void {
    this.busy = busy;
    this.root.setAttribute('aria-busy', String(busy));
    for (const el of this.root.querySelectorAll<HTMLButtonElement | HTMLInputElement>(
      '.input-panel button, .input-panel input[type=file]',
    )) {
      el.disabled = busy;
    }
    if (busy) {
      this.error.hidden = true;
      this.status.textContent = message;
    }
  }

  showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** Show a stored analysis (from the corpus). */
  async open(id: string): Promise<void> {
    if (this.record?.id === id || this.opening === id) return;
    this.opening = id;
    this.setBusy(true, 'Loading the analysis…');
    try {
      const record = await api.getAnalysis(id);
      if (this.opening !== id) return;
      this.show(record);
      this.status.textContent = '';
      // A link to an analysis is for reading it: the input form folds away.
      this.collapseInput(true);
      $('#article').scrollIntoView({ block: 'start' });
    } catch (error) {
      this.status.textContent = '';
      this.showError(error instanceof Error ? error.message : String(error));
    } finally {
      if (this.opening === id) this.opening = null;
      this.setBusy(false);
    }
  }

  // -------------------------------------------------------------------------------------
  // Result

  show(record: AnalysisRecord): void {
    this.record = record;
    this.hidden.clear();
    this.error.hidden = true;
    this.details.hide();
    this.result.hidden = false;
    const metaParts = [
      record.source,
      record.date,
      `analysed ${isoDate(record.createdAt)}`,
      `model ${record.analysis.model.name} ${record.analysis.model.version}`,
    ].filter((s): s is string => typeof s === 'string' && s !== '');
    replace(this.meta, metaParts.join(' · '));
    // A review is saved in the server's store: an analysis on this device has none.
    $('.review-tools').hidden = isDeviceRecord(record);
    this.stopReview();
    this.showReviewStatus();
    this.refresh();
  }

  /** Re-render everything that depends on the filter (and, while reviewing, on the draft). */
  private refresh(): void {
    const record = this.record;
    if (!record) return;
    // One source for markers, details, legend and summary: indices agree among them all.
    const shown = this.draft
      ? {
          ...record,
          analysis: withReviewedSpans(record.text, record.analysis, this.draft.spans, {
            draft: true,
          }),
          reviewed: undefined,
        }
      : record;
    this.shown = shown;
    this.details.hide();
    this.markerTip.hide();
    this.pointer.contentChanged();
    this.view = renderArticle(this.heading, this.body, shown, this.deps.byLabel(), this.filter());
    this.renderLegend();
    this.renderSummary();
    const visible = this.view.shown.filter((t) => t.length > 0).length;
    $('#visible-count').textContent =
      `${visible} of ${shown.analysis.spans.length} spans highlighted` +
      (this.threshold > 0 ? ` at ≥ ${formatPercent(this.threshold)} confidence` : '');
  }

  // -------------------------------------------------------------------------------------
  // Review

  private showReviewStatus(message?: string): void {
    $('#review-status').textContent = message ?? reviewedLine(this.record) ?? 'Not reviewed yet';
  }

  private stopReview(): void {
    this.draft = null;
    this.details.reviewControls = null;
    $('#review-panel').hidden = true;
    $('#review-toggle').setAttribute('aria-pressed', 'false');
  }

  private wireReview(): void {
    const toggle = $<HTMLButtonElement>('#review-toggle');
    const technique = $<HTMLSelectElement>('#review-technique');
    const reviewer = $<HTMLInputElement>('#reviewer');
    const undo = $<HTMLButtonElement>('#review-undo');
    reviewer.value = localStorage.getItem('spinscope-reviewer') ?? '';
    // Pressing a marker or a review button keeps the words the reader selected.
    const keepSelection = (event: MouseEvent) => {
      if (this.draft && event.target instanceof Element && event.target.closest('button'))
        event.preventDefault();
    };
    for (const el of [$('#article'), $('#details')])
      el.addEventListener('mousedown', keepSelection);
    const chosen = () => technique.value as TechniqueLabel;
    const redraw = () => {
      undo.disabled = !this.draft?.canUndo;
      this.refresh();
    };
    toggle.addEventListener('click', async () => {
      const record = this.record;
      if (!record) return;
      if (this.draft) {
        this.stopReview();
        this.refresh();
        return;
      }
      // A saved review is the draft to go on from (with its accepted marks).
      let saved: Review | null;
      try {
        saved = record.reviewed ? (await api.getReview(record.id)).review : null;
      } catch (error) {
        this.showReviewStatus(error instanceof Error ? error.message : String(error));
        return;
      }
      if (this.record !== record || this.draft) return; // another article, or pressed twice
      replace(technique, ...this.techniqueOptions());
      this.draft = saved
        ? new ReviewDraft(saved.spans.map((s) => ({ ...s, techniques: [...s.techniques] })))
        : ReviewDraft.fromModel(record.analysis.spans);
      // A reviewer decides every phrase the model found: all are shown.
      this.showEvery.checked = true;
      this.readThreshold();
      $('#review-panel').hidden = false;
      toggle.setAttribute('aria-pressed', 'true');
      this.details.reviewControls = (index) => this.spanControls(index, chosen(), redraw);
      redraw();
    });
    $('#review-add').addEventListener('click', () => {
      const range = selectedRange(this.body);
      if (!this.draft || !range) {
        this.showReviewStatus('Select the words of the phrase in the article first.');
        return;
      }
      this.draft.add(range.start, range.end, [chosen()]);
      redraw();
    });
    $('#review-add-phrase').addEventListener('click', () => {
      const phrase = $<HTMLInputElement>('#review-phrase');
      const record = this.record;
      if (!this.draft || !record) return;
      const taken = this.draft.spans.filter((s) => s.techniques.includes(chosen()));
      const range = findPhrase(record.text, phrase.value, taken);
      if (!range) {
        this.showReviewStatus(
          `"${phrase.value.trim()}" is not in the article (or is marked already).`,
        );
        return;
      }
      this.draft.add(range.start, range.end, [chosen()]);
      phrase.value = '';
      redraw();
    });
    undo.addEventListener('click', () => {
      this.draft?.undo();
      redraw();
    });
    $('#review-save').addEventListener('click', async () => {
      const record = this.record;
      if (!record || !this.draft) return;
      const name = reviewer.value.trim();
      localStorage.setItem('spinscope-reviewer', name);
      try {
        await api.saveReview(record.id, {
          spans: this.draft.spans,
          ...(name && { reviewer: name }),
        });
        // The stored record now shows the review: reading, legend and downloads follow it.
        const reviewed = await api.getAnalysis(record.id);
        if (this.record !== record) return;
        this.record = reviewed;
        this.showReviewStatus();
        redraw();
      } catch (error) {
        this.showReviewStatus(
          `Not saved: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  }

  private techniqueOptions(): HTMLOptionElement[] {
    return this.deps.catalogue().map((t) => h('option', { value: t.label }, t.name));
  }

  /**
   * Under a span's details while reviewing: accept it, reject it, set it to the selection, or
   * change it to the technique picked beside the button (the one the button names).
   */
  private spanControls(index: number, initial: TechniqueLabel, redraw: () => void): HTMLElement {
    const draft = this.draft;
    if (!draft) throw new Error('span controls outside a review');
    const button = (label: string, action: () => void) => {
      const b = h('button', { type: 'button' }, label);
      b.addEventListener('click', (event) => {
        event.stopPropagation();
        action();
        redraw();
      });
      return b;
    };
    const nameOf = (label: string) => this.deps.byLabel().get(label)?.name ?? label;
    const picker = h(
      'select',
      { 'aria-label': 'Technique to change it to' },
      ...this.techniqueOptions(),
    );
    picker.value = initial;
    const change = button(`Change to ${nameOf(initial)}`, () =>
      draft.relabel(index, [picker.value as TechniqueLabel]),
    );
    picker.addEventListener('change', () => {
      change.textContent = `Change to ${nameOf(picker.value)}`;
    });
    return h(
      'div',
      { class: 'review-controls', role: 'group', 'aria-label': 'Review this span' },
      button(draft.spans[index]?.accepted ? 'Accepted ✓' : 'Accept', () => draft.accept(index)),
      button('Reject', () => draft.reject(index)),
      button('Set to the selected text', () => {
        const range = selectedRange(this.body);
        if (range) draft.resize(index, range.start, range.end);
        else this.showReviewStatus('Select the words of the phrase in the article first.');
      }),
      h('span', { class: 'review-change' }, picker, change),
    );
  }

  private filter(): Filter {
    return { threshold: this.threshold, hidden: this.hidden };
  }

  private renderLegend(): void {
    const record = this.shown;
    if (!record) return;
    const counts = techniqueCounts(record.analysis.spans, this.threshold);
    replace(
      this.legend,
      legendContent(
        this.deps.catalogue(),
        counts,
        this.hidden,
        techniqueNumbers(this.deps.byLabel()),
        record.analysis.spans.length > 0,
      ),
    );
  }

  private renderSummary(): void {
    const record = this.shown;
    if (!record) return;
    const doc = record.analysis.document;
    const top = topSentences(record.analysis.sentences, 3);
    replace(
      this.summary,
      h('h2', {}, 'Summary'),
      ...documentScoreParts(
        doc,
        'The share of sentences likely to hold a propaganda technique, from every highlight.',
      ),
      h('h3', {}, 'Most loaded sentences'),
      h(
        'p',
        { class: 'hint' },
        'Ranked by how likely each sentence holds a technique, from its highlights’ confidences.',
      ),
      top.length === 0
        ? h('p', { class: 'hint' }, 'No sentence scored above zero.')
        : h(
            'ol',
            { class: 'top-sentences' },
            ...top.map((s) => sentenceButton(s, () => revealRange(this.body, s.start, s.end))),
          ),
    );
  }

  // -------------------------------------------------------------------------------------
  // Article interaction

  private wireArticle(): void {
    const article = $('#article');
    const spansAt = (
      target: EventTarget | null,
    ): { indices: number[]; anchor: HTMLElement } | null => {
      if (!(target instanceof Element)) return null;
      const tag = target.closest<HTMLElement>('button.tag');
      if (tag) return { indices: [Number(tag.dataset.span)], anchor: tag };
      const mark = target.closest<HTMLElement>('mark.hl');
      if (mark) {
        const indices = (mark.dataset.spans ?? '').split(' ').filter(Boolean).map(Number).reverse();
        return { indices, anchor: mark };
      }
      return null;
    };
    article.addEventListener('mouseover', (event) => {
      // On a phone the details are a sheet opened by a tap, never by a passing pointer.
      if (window.matchMedia('(max-width: 640px)').matches || !this.pointer.moved(event)) return;
      const hit = spansAt(event.target);
      if (hit && this.shown)
        this.details.show(this.shown, hit.indices, this.view.shown, hit.anchor, false);
    });
    article.addEventListener('mouseout', (event) => {
      const hit = spansAt(event.target);
      const into = event.relatedTarget;
      if (
        hit &&
        !(into instanceof Element && (hit.anchor.contains(into) || this.details.el.contains(into)))
      ) {
        this.details.scheduleHide();
      }
    });
    article.addEventListener('click', (event) => {
      const hit = spansAt(event.target);
      if (hit && this.shown) {
        event.stopPropagation();
        this.details.show(this.shown, hit.indices, this.view.shown, hit.anchor, true);
      }
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.details.isOpen) {
        event.preventDefault();
        this.details.hide(true);
      }
    });
    document.addEventListener('click', (event) => {
      if (
        this.details.isPinned &&
        event.target instanceof Node &&
        !this.details.el.contains(event.target)
      ) {
        this.details.hide();
      }
    });
    window.addEventListener('resize', () => this.details.hide());
  }

  // -------------------------------------------------------------------------------------
  // Controls: threshold, legend, exports

  /** The threshold from the slider and the "show all" switch. */
  private readThreshold(): void {
    // "Show all" sets the slider aside without moving it, so unticking it comes back.
    this.slider.disabled = this.showEvery.checked;
    this.threshold = this.showEvery.checked ? 0 : Number(this.slider.value);
    const text = formatPercent(Number(this.slider.value));
    this.sliderOut.textContent = text;
    this.slider.setAttribute('aria-valuetext', text);
  }

  private wireControls(): void {
    const update = () => {
      this.readThreshold();
      this.refresh();
    };
    const reset = () => {
      this.slider.value = String(READER_MIN_CONFIDENCE);
      this.showEvery.checked = false;
      update();
    };
    reset();
    this.slider.addEventListener('input', update);
    this.slider.addEventListener('change', update);
    this.showEvery.addEventListener('change', update);

    this.legend.addEventListener('click', (event) => {
      const button =
        event.target instanceof Element
          ? event.target.closest<HTMLButtonElement>('button.legend-item')
          : null;
      const label = button?.dataset.label;
      if (!button || !label) return;
      if (this.hidden.has(label)) this.hidden.delete(label);
      else this.hidden.add(label);
      this.refresh();
      // The legend was re-rendered: keep focus on the same toggle.
      this.legend
        .querySelector<HTMLButtonElement>(`button[data-label="${CSS.escape(label)}"]`)
        ?.focus();
    });
    $('#reset-filters').addEventListener('click', () => {
      this.hidden.clear();
      reset();
    });

    $('#export-html').addEventListener('click', () => {
      const record = this.record;
      if (!record) return;
      const html = exportHtml(record, this.deps.catalogue(), { filter: this.filter() });
      download(`${this.slugOf(record)}.spinscope.html`, 'text/html;charset=utf-8', html);
    });
    $('#export-json').addEventListener('click', () => {
      const record = this.record;
      if (!record) return;
      download(`${this.slugOf(record)}.spinscope.json`, 'application/json', exportJson(record));
    });
  }

  private slugOf(record: AnalysisRecord): string {
    return fileSlug(record.title ?? record.analysis.title, `analysis-${record.id}`);
  }
}
