/**
 * The options page: the model that runs in this browser, and the optional server. The
 * server's address gets a host permission only when the reader turns it on (and saves).
 */
import '../../web/src/styles.css';
import './panel.css';
import { $ } from '../../web/src/dom.js';
import { BUNDLED_MODELS, type BundledModel } from './messages.js';
import { loadSettings, saveSettings } from './settings.js';

const model = $<HTMLSelectElement>('#model');
const on = $<HTMLInputElement>('#server-on');
const url = $<HTMLInputElement>('#server-url');
const serverModel = $<HTMLInputElement>('#server-model');
const saved = $('#saved');

async function show(): Promise<void> {
  const settings = await loadSettings();
  model.value = settings.model;
  on.checked = settings.server.enabled;
  url.value = settings.server.url;
  serverModel.value = settings.server.model;
}

$('#form').addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    let enabled = on.checked;
    let address = url.value.trim();
    if (enabled) {
      let origin: string;
      try {
        const parsed = new URL(address);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
        origin = parsed.origin;
        address = parsed.href;
      } catch {
        saved.textContent = 'The server address must be an http:// or https:// URL.';
        return;
      }
      // Asked within the click: Chrome shows its own prompt for this one origin.
      enabled = await chrome.permissions.request({ origins: [`${origin}/*`] });
      if (!enabled) saved.textContent = 'Without permission to reach it, the server stays off.';
    }
    const chosen = BUNDLED_MODELS.find((m) => m === model.value) ?? ('sm' as BundledModel);
    await saveSettings({
      model: chosen,
      server: { enabled, url: address, model: serverModel.value.trim() },
    });
    if (enabled || !on.checked)
      saved.textContent = enabled
        ? `Saved: articles go to ${address}.`
        : `Saved: articles are analysed in this browser with ${chosen}.`;
  })();
});

void show();
