/**
 * Spinscope web UI: loads the technique catalogue, then routes between the analyse view
 * (`#/analyse`, `#/analysis/<id>`) and the corpus view (`#/corpus`).
 */
import './styles.css';
import * as api from './api.js';
import { AnalyseView } from './analyse.js';
import { CorpusView } from './corpus.js';
import { $ } from './dom.js';
import { catalogueByLabel, type CatalogueByLabel } from './render.js';
import type { CatalogueTechnique } from './types.js';

let catalogue: CatalogueTechnique[] = [];
let byLabel: CatalogueByLabel = new Map();

const analyse = new AnalyseView({
  catalogue: () => catalogue,
  byLabel: () => byLabel,
  onAnalysed: (record) => {
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
  const r = parseRoute(location.hash);
  if (!r) return;
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

async function start(): Promise<void> {
  try {
    catalogue = await api.getTechniques();
    byLabel = catalogueByLabel(catalogue);
    corpus.setCatalogue(catalogue);
  } catch (error) {
    analyse.showError(
      `Could not load the technique catalogue: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  api
    .getHealth()
    .then((health) => {
      $('#model-info').textContent = `model ${health.model.name} ${health.model.version}`;
      fillModelChoice(health.model.name, health.models ?? []);
    })
    .catch(() => {
      $('#model-info').textContent = 'server unreachable';
    });
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  route();
  document.body.dataset.ready = 'true';
}

/** What each shipped model is for, in the model picker. */
const MODEL_USES: Record<string, string> = {
  sm: 'quickest',
  md: 'good spans, quick',
  lg: 'labels techniques best, slower',
};

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
