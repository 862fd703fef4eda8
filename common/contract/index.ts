/**
 * The one contract between the main process and the renderer (docs/ARCHITECTURE.md): `KubedeckApi`.
 * main/app binds it to ipcMain, main/serve to a WebSocket; the renderer imports only these types.
 * Every method returns a Promise; events arrive through `on`. Nothing here carries a credential.
 */
import { CLUSTERS_METHODS, type ClustersEvents, type ClustersMethods } from './clusters.ts';
import { TERMINALS_METHODS, type TerminalsEvents, type TerminalsMethods } from './terminals.ts';
import { FILES_METHODS, type FilesEvents, type FilesMethods } from './files.ts';
import { RECORDINGS_METHODS, type RecordingsEvents, type RecordingsMethods } from './recordings.ts';
import { AUDIT_METHODS, type AuditEvents, type AuditMethods } from './audit.ts';
import { DEBUG_METHODS, type DebugMethods } from './debug.ts';
import { SHARE_METHODS, type ShareEvents, type ShareMethods } from './share.ts';
import type { AppEvents } from './app.ts';
import { PORT_FORWARDS_METHODS, type PortForwardsEvents, type PortForwardsMethods } from './portForwards.ts';
import { LOGS_METHODS, type LogsEvents, type LogsMethods } from './logs.ts';
import { SETTINGS_METHODS, type SettingsEvents, type SettingsMethods } from './settings.ts';

export type * from './containerRef.ts';
export type * from './clusters.ts';
export type * from './terminals.ts';
export type * from './files.ts';
export type * from './recordings.ts';
export type * from './audit.ts';
export type * from './debug.ts';
export type * from './share.ts';
export type * from './app.ts';
export { APP_COMMANDS } from './app.ts';
export type * from './portForwards.ts';
export type * from './logs.ts';
export type * from './settings.ts';

/** Every request the renderer can make. */
export interface KubedeckMethods extends ClustersMethods, TerminalsMethods, FilesMethods, RecordingsMethods, AuditMethods, DebugMethods, ShareMethods,
  PortForwardsMethods, LogsMethods, SettingsMethods {}

/** Every event the main side sends, by name. */
export interface KubedeckEvents extends ClustersEvents, TerminalsEvents, FilesEvents, RecordingsEvents, AuditEvents, ShareEvents, AppEvents,
  PortForwardsEvents, LogsEvents, SettingsEvents {}

export type KubedeckEventName = keyof KubedeckEvents;

/** What the renderer holds: `window.kubedeck` in Electron, the WebSocket client in serve mode. */
export interface KubedeckApi extends KubedeckMethods {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends KubedeckEventName>(event: E, listener: (payload: KubedeckEvents[E]) => void): () => void;
}

/** The allow-list of method names: the only requests either binding forwards. */
export const METHOD_NAMES = Object.keys({
  ...CLUSTERS_METHODS,
  ...TERMINALS_METHODS,
  ...FILES_METHODS,
  ...RECORDINGS_METHODS,
  ...AUDIT_METHODS,
  ...DEBUG_METHODS,
  ...SHARE_METHODS,
  ...PORT_FORWARDS_METHODS,
  ...LOGS_METHODS,
  ...SETTINGS_METHODS,
}) as (keyof KubedeckMethods)[];

/** IPC channel of a method (main/app) and of the event stream. */
export const IPC_PREFIX = 'kubedeck:';
export const IPC_EVENT_CHANNEL = 'kubedeck:event';
