/**
 * The few extension APIs Spinscope uses, typed by hand (no @types/chrome in the project):
 * Chromium's `chrome.*`, promise forms only (Manifest V3).
 */
declare namespace chrome {
  namespace runtime {
    interface MessageSender {
      tab?: tabs.Tab;
      url?: string;
      id?: string;
    }
    const id: string;
    function getURL(path: string): string;
    function sendMessage<T = unknown>(message: unknown): Promise<T>;
    function openOptionsPage(): Promise<void>;
    function getContexts(filter: {
      contextTypes?: string[];
      documentUrls?: string[];
    }): Promise<{ documentUrl?: string }[]>;
    const onMessage: {
      addListener(
        listener: (
          message: unknown,
          sender: MessageSender,
          sendResponse: (response?: unknown) => void,
        ) => boolean | void,
      ): void;
    };
    const onInstalled: { addListener(listener: () => void): void };
  }

  namespace tabs {
    interface Tab {
      id?: number;
      url?: string;
      title?: string;
      windowId: number;
      active: boolean;
    }
    function query(query: { active?: boolean; currentWindow?: boolean }): Promise<Tab[]>;
    function get(tabId: number): Promise<Tab>;
    function sendMessage<T = unknown>(tabId: number, message: unknown): Promise<T>;
    const onRemoved: { addListener(listener: (tabId: number) => void): void };
    const onActivated: {
      addListener(listener: (info: { tabId: number; windowId: number }) => void): void;
    };
    const onUpdated: {
      addListener(
        listener: (tabId: number, change: { status?: string; url?: string }, tab: Tab) => void,
      ): void;
    };
  }

  namespace scripting {
    function executeScript(injection: {
      target: { tabId: number; allFrames?: boolean };
      files: string[];
    }): Promise<unknown[]>;
  }

  namespace offscreen {
    function createDocument(parameters: {
      url: string;
      reasons: string[];
      justification: string;
    }): Promise<void>;
  }

  namespace sidePanel {
    function open(options: { tabId?: number; windowId?: number }): Promise<void>;
    function setPanelBehavior(behavior: { openPanelOnActionClick: boolean }): Promise<void>;
  }

  namespace contextMenus {
    function create(properties: { id: string; title: string; contexts: string[] }): void;
    function removeAll(): Promise<void>;
    const onClicked: {
      addListener(listener: (info: { menuItemId: string | number }, tab?: tabs.Tab) => void): void;
    };
  }

  namespace action {
    const onClicked: { addListener(listener: (tab: tabs.Tab) => void): void };
  }

  namespace permissions {
    function request(permissions: { origins: string[] }): Promise<boolean>;
    function contains(permissions: { origins: string[] }): Promise<boolean>;
  }

  namespace storage {
    interface StorageArea {
      get(keys: string | string[] | null): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
      remove(keys: string | string[]): Promise<void>;
    }
    const local: StorageArea;
    const session: StorageArea;
    const onChanged: {
      addListener(
        listener: (
          changes: Record<string, { oldValue?: unknown; newValue?: unknown }>,
          areaName: string,
        ) => void,
      ): void;
    };
  }
}
