// Exposes the KubedeckApi contract to the renderer with contextBridge: narrow typed methods, no raw ipcRenderer.
// Every method is one allow-listed channel (METHOD_NAMES); listeners never see the IpcRendererEvent
// (it carries `sender`), as in Headlamp's preload.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_PREFIX,
  METHOD_NAMES,
  type KubedeckApi,
  type KubedeckEventName,
  type KubedeckEvents,
  type KubedeckMethods,
} from '../common/contract/index.ts';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, message: { name: string; payload: unknown }) => {
  const set = message && typeof message.name === 'string' ? listeners.get(message.name) : undefined;
  if (!set) return;
  for (const l of set) {
    try {
      l(message.payload);
    } catch (err) {
      console.error(err);
    }
  }
});

const methods = {} as Record<keyof KubedeckMethods, (...args: unknown[]) => Promise<unknown>>;
for (const name of METHOD_NAMES) {
  methods[name] = (...args: unknown[]) => ipcRenderer.invoke(IPC_PREFIX + name, ...args);
}

const api: KubedeckApi = {
  ...(methods as unknown as KubedeckMethods),
  on<E extends KubedeckEventName>(event: E, listener: (payload: KubedeckEvents[E]) => void): () => void {
    if (typeof listener !== 'function') throw new Error('on: listener must be a function');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  },
};

contextBridge.exposeInMainWorld('kubedeck', api);

// Files dropped from the OS: Electron hides File.path since v32; webUtils gives the path, so a dropped file
// or folder is copied from where it is, without sending its bytes through the page first.
contextBridge.exposeInMainWorld('kubedeckDesktop', {
  pathForFile: (file: File): string => webUtils.getPathForFile(file),
});
