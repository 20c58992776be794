/**
 * Spinscope web UI: loads the technique catalogue, then routes between the analyse view
 * (`#/analyse`, `#/analysis/<id>`) and the corpus view (`#/corpus`).
 *
 * Served by `spinscope serve`, it analyses through the API, or on this device when the
 * reader asks. Hosted as a static site (no API: /api/v1/health is not the API's answer), it
 * analyses only on this device and hides what needs the server (corpus, review, addresses).
 */
import './styles.css';
import * as api from './api.js';
import { AnalyseView } from './analyse.js';
import { CorpusView } from './corpus.js';
import {
  DEVICE_DEFAULT_MODEL,
  DEVICE_MODELS,
  DeviceAnalyser,
  formatBytes,
  isDeviceRecord,
} from './device.js';
import { $ } from './dom.js';
import { catalogueByLabel, type CatalogueByLabel } from './render.js';
import type { CatalogueTechnique } from './types.js';
import { TECHNIQUES } from '../../src/techniques/catalogue.js';

let catalogue: CatalogueTechnique[] = [];
let byLabel: CatalogueByLabel = new Map();
/** No server: a static site, where every analysis runs on this device. */
let staticSite = false;
/** The server's default model and the ones a request may name (empty on a static site). */
let served: { model: string; models: readonly string[] } | undefined;

const device = new DeviceAnalyser();
const onDevice = $<HTMLInputElement>('#on-device');
const analysesOnDevice = () => staticSite || onDevice.checked;

const analyse = new AnalyseView({
  catalogue: () => catalogue,
  byLabel: () => byLabel,
  device: () => (analysesOnDevice() ? device : null),
  onAnalysed: (record) => {
    // An analysis on this device is stored nowhere: no address to come back to.
    if (isDeviceRecord(record)) {
      if (location.hash.startsWith('#/analysis/')) history.pushState(null, '', '#/analyse');
      return;
    }
    const hash = `#/analysis/${encodeURIComponent(record.id)}`;
    if (location.hash !== hash) history.pushState(null, '', hash);
  },
});
const corpus = new CorpusView({ catalogue: () => catalogue, byLabel: () => byLabel });

type Route = { view: 'analyse'; id?: string } | { view: 'corpus' };

function parseRoute(hash: string): Route | null {
  if (hash === '' || hash === '#' || hash === '#/' || hash === '#/analyse')
    return { view: 'analyse' };
  if (hash === '#/corpus') return { view: 'corpus' };
  const m = /^#\/analysis\/([^/]+)$/.exec(hash);
  if (m) return { view: 'analyse', id: decodeURIComponent(m[1] as string) };
  return null; // in-page anchors (e.g. the skip link) are not routes
}

function route(): void {
  const parsed = parseRoute(location.hash);
  if (!parsed) return;
  // A static site has no stored analyses and no corpus.
  const r: Route = staticSite ? { view: 'analyse' } : parsed;
  $('#view-analyse').hidden = r.view !== 'analyse';
  $('#view-corpus').hidden = r.view !== 'corpus';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav.views a')) {
    if (link.dataset.view === r.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = r.view === 'corpus' ? 'Corpus – Spinscope' : 'Analyse – Spinscope';
  if (r.view === 'corpus') {
    void corpus.load();
  } else if (r.id !== undefined) {
    void analyse.open(r.id);
  }
}

/**
 * Whether the page has a server: its answer to /api/v1/health, or an answer that is not the
 * API's (a static file server's 404 or page) for a static site. Unreachable: no answer.
 */
async function findServer(): Promise<'server' | 'static' | 'unreachable'> {
  try {
    const health = await api.getHealth();
    served = { model: health.model.name, models: health.models ?? [] };
    $('#model-info').textContent = `model ${health.model.name} ${health.model.version}`;
    return 'server';
  } catch (error) {
    if (error instanceof api.ApiError && (error.code === 'HTTP' || error.code === 'PARSE'))
      return 'static';
    $('#model-info').textContent = 'server unreachable';
    return 'unreachable';
  }
}

/** The static site: analyses on this device only; what needs a server is hidden. */
function becomeStaticSite(): void {
  staticSite = true;
  document.body.dataset.mode = 'static';
  for (const el of document.querySelectorAll<HTMLElement>('.needs-server')) el.hidden = true;
  $('#device-note').hidden = false;
  $('#privacy-note').textContent = 'Runs in this browser: the article never leaves this device.';
  $('#model-info').textContent = 'runs in this browser';
}

/** The reader's choice to analyse on this device, remembered; the picker follows it. */
function wireDeviceChoice(): void {
  onDevice.checked = localStorage.getItem('spinscope-on-device') === 'true';
  onDevice.addEventListener('change', () => {
    localStorage.setItem('spinscope-on-device', String(onDevice.checked));
    showAnalyser();
  });
  showAnalyser();
}

/** The picker and inputs for where analyses run: the server's models, or the device's. */
function showAnalyser(): void {
  const local = analysesOnDevice();
  // Fetching a page needs the server; on this device, paste or upload it.
  $('#url-form').hidden = local;
  $('#lead-inputs').textContent = local
    ? 'Paste an article, upload a file or drop one here.'
    : 'Paste an article, upload or drop a file, or give an address.';
  // The model picked stays picked where both offer it (the server's default is '').
  const select = $<HTMLSelectElement>('#input-model');
  const picked = select.value || served?.model;
  if (local) fillDeviceModelChoice();
  else if (served) fillModelChoice(served.model, served.models);
  const same = [...select.options].find((o) => (o.value || served?.model) === picked);
  if (same) same.selected = true;
}

async function start(): Promise<void> {
  if ((await findServer()) === 'static') {
    becomeStaticSite();
    catalogue = [...TECHNIQUES];
  } else {
    try {
      catalogue = await api.getTechniques();
    } catch (error) {
      analyse.showError(
        `Could not load the technique catalogue: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  byLabel = catalogueByLabel(catalogue);
  corpus.setCatalogue(catalogue);
  wireDeviceChoice();
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  route();
  document.body.dataset.ready = 'true';
}

/** What each shipped model is for, in the model picker. */
const MODEL_USES: Record<string, string> = {
  sm: 'quickest',
  md: 'good spans, quicker',
  lg: 'most accurate',
};

/**
 * The picker on this device: the models that run in a browser, with their downloads (`lg`
 * only on the static site: the server serves model files, not the sentence encoder's).
 */
function fillDeviceModelChoice(): void {
  const select = $<HTMLSelectElement>('#input-model');
  select.replaceChildren(
    ...DEVICE_MODELS.filter((m) => staticSite || !m.staticOnly).map(({ name, bytes }) => {
      const option = new Option(`${name}: ${MODEL_USES[name]} (${formatBytes(bytes)})`, name);
      option.selected = name === DEVICE_DEFAULT_MODEL;
      return option;
    }),
  );
}

/** The picker's options: the server's default first, then the others a request may name. */
function fillModelChoice(defaultName: string, names: readonly string[]): void {
  const select = $<HTMLSelectElement>('#input-model');
  const describe = (name: string) => (MODEL_USES[name] ? `${name}: ${MODEL_USES[name]}` : name);
  select.replaceChildren(
    new Option(`${describe(defaultName)} (default)`, ''),
    ...names.filter((n) => n !== defaultName).map((n) => new Option(describe(n), n)),
  );
}

void start();
