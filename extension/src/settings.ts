/** The reader's settings (`chrome.storage.local`) and a tab's filters (`chrome.storage.session`). */
import {
  BUNDLED_MODELS,
  DEFAULT_FILTER,
  DEFAULT_SETTINGS,
  filterKey,
  type FilterState,
  type Settings,
} from './messages.js';

export async function loadSettings(): Promise<Settings> {
  const stored = (await chrome.storage.local.get('settings')).settings as
    Partial<Settings> | undefined;
  const model = BUNDLED_MODELS.find((m) => m === stored?.model) ?? DEFAULT_SETTINGS.model;
  return { model, server: { ...DEFAULT_SETTINGS.server, ...stored?.server } };
}

export async function saveSettings(settings: Settings): Promise<void> {
  await chrome.storage.local.set({ settings });
}

export async function loadFilter(tabId: number): Promise<FilterState> {
  const stored = (await chrome.storage.session.get(filterKey(tabId)))[filterKey(tabId)];
  return { ...DEFAULT_FILTER, ...(stored as Partial<FilterState> | undefined) };
}

export async function saveFilter(tabId: number, filter: FilterState): Promise<void> {
  await chrome.storage.session.set({ [filterKey(tabId)]: filter });
}
