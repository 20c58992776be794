/**
 * The background service worker: it starts an analysis when the reader asks (the toolbar
 * button, the page's context menu, the side panel's button), and carries the article from
 * the page's content script to the detector and the result back.
 *
 * The detector runs in the offscreen document's Web Worker, inside the extension; only when
 * the reader has turned the server on in the options does the text go out, to that server.
 * A tab's state (`tab:<id>` in `chrome.storage.session`) is what the side panel shows.
 *
 * Tests start an analysis with `spinscope.analyseTab(tabId)` on this worker's global scope:
 * a toolbar click cannot be simulated, and this is the function the click calls.
 */
import type { ShownAnalysis } from '../../src/types.js';
import {
  tabKey,
  type BackgroundMessage,
  type ContentMessage,
  type ExtractReply,
  type OffscreenReply,
  type OffscreenRequest,
  type Settings,
  type ShowReply,
  type TabState,
} from './messages.js';
import { loadFilter, loadSettings } from './settings.js';

const MENU_ID = 'spinscope-analyse';

async function setState(tabId: number, state: TabState): Promise<void> {
  await chrome.storage.session.set({ [tabKey(tabId)]: state });
}

/** A message to the page's content script, whose errors come back as thrown errors. */
async function toPage<T>(tabId: number, message: ContentMessage): Promise<T> {
  const reply = await chrome.tabs.sendMessage<T | { error: string }>(tabId, message);
  if (reply && typeof reply === 'object' && 'error' in reply) throw new Error(reply.error);
  return reply as T;
}

let offscreen: Promise<void> | undefined;

/** The offscreen document that runs the detector, created once. */
async function ensureOffscreen(): Promise<void> {
  const url = chrome.runtime.getURL('offscreen.html');
  const open = await chrome.runtime.getContexts({
    contextTypes: ['OFFSCREEN_DOCUMENT'],
    documentUrls: [url],
  });
  if (open.length > 0) return;
  offscreen ??= chrome.offscreen
    .createDocument({
      url: 'offscreen.html',
      reasons: ['WORKERS'],
      justification: 'Runs the Spinscope detector in a Web Worker, inside the extension.',
    })
    .finally(() => (offscreen = undefined));
  await offscreen;
}

async function analyseHere(model: string, text: string): Promise<ShownAnalysis> {
  await ensureOffscreen();
  const request: OffscreenRequest = { target: 'offscreen', model, text };
  let reply: OffscreenReply | undefined;
  // The document's script may still be starting: it answers within a few tries.
  for (let attempt = 0; reply === undefined; attempt++) {
    try {
      reply = await chrome.runtime.sendMessage<OffscreenReply>(request);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.analysis;
}

async function analyseOnServer(server: Settings['server'], text: string): Promise<ShownAnalysis> {
  const response = await fetch(new URL('api/v1/analyze', server.url.replace(/\/*$/, '/')), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, ...(server.model ? { model: server.model } : {}) }),
  });
  const body = (await response.json().catch(() => null)) as {
    analysis?: ShownAnalysis;
    message?: string;
  } | null;
  if (!response.ok || !body?.analysis)
    throw new Error(
      `The server answered ${response.status}${body?.message ? `: ${body.message}` : ''}`,
    );
  return body.analysis;
}

/** Read the tab's article, analyse it, draw it in the page; the state says how it went. */
async function analyseTab(tabId: number): Promise<TabState> {
  const tab = await chrome.tabs.get(tabId);
  const url = tab.url ?? '';
  let state: TabState;
  try {
    await setState(tabId, { status: 'working', url, step: 'Reading the article…' });
    try {
      await chrome.scripting.executeScript({ target: { tabId }, files: ['content.js'] });
    } catch {
      throw new Error(
        'Spinscope cannot read this page. Browser pages and extension stores are closed to ' +
          'extensions; on a news page, click Spinscope’s toolbar button to let it read the page.',
      );
    }
    const { article } = await toPage<Extract<ExtractReply, { article: unknown }>>(tabId, {
      type: 'spinscope:extract',
    });
    const settings = await loadSettings();
    const engine = settings.server.enabled
      ? `${settings.server.model || 'the default model'} on ${settings.server.url}`
      : `${settings.model} in this browser`;
    await setState(tabId, { status: 'working', url, step: `Analysing with ${engine}…` });
    const analysis = settings.server.enabled
      ? await analyseOnServer(settings.server, article.text)
      : await analyseHere(settings.model, article.text);
    const filter = await loadFilter(tabId);
    const shown = await toPage<ShowReply>(tabId, { type: 'spinscope:show', analysis, filter });
    state = {
      status: 'done',
      url,
      text: article.text,
      title: article.title,
      analysis,
      engine,
      unplaced: shown.unplaced,
    };
  } catch (error) {
    state = { status: 'error', url, message: (error as Error).message };
  }
  await setState(tabId, state);
  return state;
}

/** A click on the toolbar button or the context menu: the side panel opens, the analysis starts. */
function openAndAnalyse(tab: chrome.tabs.Tab | undefined): void {
  if (tab?.id === undefined) return;
  // Within the click's user gesture: open the panel before anything is awaited.
  void chrome.sidePanel.open({ tabId: tab.id }).catch(() => undefined);
  void analyseTab(tab.id);
}

chrome.runtime.onInstalled.addListener(() => {
  void chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false });
  void chrome.contextMenus.removeAll().then(() =>
    chrome.contextMenus.create({
      id: MENU_ID,
      title: 'Analyse this article with Spinscope',
      contexts: ['page', 'selection'],
    }),
  );
});
chrome.action.onClicked.addListener(openAndAnalyse);
chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID) openAndAnalyse(tab);
});

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return;
  const request = message as BackgroundMessage;
  if (request.type !== 'spinscope:analyse') return;
  void analyseTab(request.tabId).then(sendResponse);
  return true;
});

// A tab that loads another page or closes has no highlights left: its state goes too.
chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === 'loading') void chrome.storage.session.remove(tabKey(tabId));
});
chrome.tabs.onRemoved.addListener((tabId) => {
  void chrome.storage.session.remove([tabKey(tabId), `filter:${tabId}`]);
});

(globalThis as { spinscope?: unknown }).spinscope = { analyseTab };
