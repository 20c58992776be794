/**
 * What the extension's parts say to each other, and what they keep in storage.
 *
 * The article's text travels only between the extension's own contexts: the content script
 * (which reads it from the page), the background service worker, and the offscreen document
 * whose Web Worker runs the detector. Only when the reader has turned the server on does it
 * leave the browser, to that server alone. All offsets count Unicode code points, half-open.
 */
import type { ShownAnalysis } from '../../src/types.js';
import { READER_MIN_CONFIDENCE } from '../../src/detect/analysis.js';

/** The models shipped inside the extension (`lg` needs the sentence encoder: server only). */
export const BUNDLED_MODELS = ['sm', 'md'] as const;
export type BundledModel = (typeof BUNDLED_MODELS)[number];

export interface Settings {
  /** The model that runs in this browser. */
  model: BundledModel;
  /** Off by default: when on, the article's text goes to this Spinscope server instead. */
  server: { enabled: boolean; url: string; model: string };
}

export const DEFAULT_SETTINGS: Settings = {
  model: 'sm',
  server: { enabled: false, url: '', model: 'lg' },
};

/** What the reader has chosen to see in a tab: the side panel's filters. */
export interface FilterState {
  /** 0-1; techniques below it are hidden unless `showAll`. */
  threshold: number;
  showAll: boolean;
  /** Technique labels switched off in the legend. */
  hidden: string[];
}

export const DEFAULT_FILTER: FilterState = {
  threshold: READER_MIN_CONFIDENCE,
  showAll: false,
  hidden: [],
};

/** A tab's analysis as the side panel shows it (`chrome.storage.session`, `tab:<id>`). */
export type TabState =
  | { status: 'working'; url: string; step: string }
  | { status: 'error'; url: string; message: string }
  | {
      status: 'done';
      url: string;
      /** The article as analysed: headline, empty line, paragraphs separated by empty lines. */
      text: string;
      title: string | null;
      analysis: ShownAnalysis;
      /** Where it ran: "sm in this browser", or the server's address. */
      engine: string;
      /** Spans the content script could not place in the page (0 unless the page changed). */
      unplaced: number;
    };

export const tabKey = (tabId: number) => `tab:${tabId}`;
export const filterKey = (tabId: number) => `filter:${tabId}`;

/** The article the content script found in the page. */
export interface Extracted {
  text: string;
  title: string | null;
  url: string;
}

/** Messages to the content script in a news page. */
export type ContentMessage =
  | { type: 'spinscope:extract' }
  | { type: 'spinscope:show'; analysis: ShownAnalysis; filter: FilterState }
  | { type: 'spinscope:filter'; filter: FilterState }
  | { type: 'spinscope:reveal'; start: number; end: number }
  | { type: 'spinscope:clear' };

export type ExtractReply = { article: Extracted } | { error: string };
export interface ShowReply {
  placed: number;
  unplaced: number;
}

/** Messages to the background service worker (from the side panel). */
export type BackgroundMessage = { type: 'spinscope:analyse'; tabId: number };

/** Messages to the offscreen document, which runs the detector's Web Worker. */
export interface OffscreenRequest {
  target: 'offscreen';
  model: string;
  text: string;
}
export type OffscreenReply =
  { analysis: ShownAnalysis } | { error: { code: string; message: string } };

/** The filter as render.ts takes it. */
export function toFilter(state: FilterState): { threshold: number; hidden: ReadonlySet<string> } {
  return { threshold: state.showAll ? 0 : state.threshold, hidden: new Set(state.hidden) };
}
