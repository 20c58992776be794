/**
 * The content script, injected into a news page only when the reader asks for an analysis
 * (the toolbar button, the context menu or the side panel): it reads the article out of the
 * page and draws the analysis the background sends back. It never analyses and never sends
 * anything anywhere but to the extension itself.
 */
import { extractArticle, type ArticleText } from './page/extract.js';
import { PageHighlights } from './page/highlight.js';
import { toFilter, type ContentMessage, type ExtractReply, type ShowReply } from './messages.js';

const scope = globalThis as { spinscopeContent?: true };

let article: ArticleText | undefined;
let view: PageHighlights | undefined;

function clear(): void {
  view?.remove();
  view = undefined;
}

function handle(message: ContentMessage): ExtractReply | ShowReply | { error: string } | true {
  switch (message.type) {
    case 'spinscope:extract': {
      clear();
      article = extractArticle(document);
      if (!article) return { error: 'Spinscope found no article text on this page.' };
      return { article: { text: article.text, title: article.title, url: location.href } };
    }
    case 'spinscope:show': {
      clear();
      if (!article) return { error: 'The page was reloaded: analyse it again.' };
      view = new PageHighlights(document, article, message.analysis, location.href);
      view.applyFilter(toFilter(message.filter));
      return { placed: message.analysis.spans.length - view.unplaced, unplaced: view.unplaced };
    }
    case 'spinscope:filter':
      view?.applyFilter(toFilter(message.filter));
      return true;
    case 'spinscope:reveal':
      view?.reveal(message.start, message.end);
      return true;
    case 'spinscope:clear':
      clear();
      return true;
  }
}

// Injected again on every analysis: the first injection's listener serves them all.
if (!scope.spinscopeContent) {
  scope.spinscopeContent = true;
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id) return;
    const type = (message as { type?: unknown }).type;
    if (typeof type !== 'string' || !type.startsWith('spinscope:')) return;
    try {
      sendResponse(handle(message as ContentMessage));
    } catch (error) {
      sendResponse({ error: (error as Error).message });
    }
  });
}
