/**
 * The transfer queue without Svelte or the DOM: how a progress event lands in the list, which transfers
 * are still active, what a row says, and how a dropped file is sent to the main side in chunks.
 * lib/transfers.svelte.ts holds the reactive list; these functions are here so node:test can check them.
 */
import type { FileLocation, TransferInfo, TransferItemState } from '../../../common/contract/index.ts';
import { baseName } from '../components/files/format.ts';

/** Queued or running: the transfer can still be cancelled and the "Clear finished" button keeps it. */
export function isActive(t: Pick<TransferInfo, 'state'>): boolean {
  return t.state === 'queued' || t.state === 'running';
}

/**
 * A progress event applied to the list (newest first). `finished` is true when this event is the one
 * that ends the transfer, so the destination pane is refreshed once and not on every later repeat.
 */
export function applyProgress(list: TransferInfo[], t: TransferInfo): { list: TransferInfo[]; finished: boolean } {
  const i = list.findIndex((x) => x.id === t.id);
  const wasActive = i >= 0 && isActive(list[i]);
  const next = i >= 0 ? list.map((x, j) => (j === i ? t : x)) : [t, ...list];
  return { list: next, finished: (wasActive || i < 0) && !isActive(t) };
}

/** The list without the transfers that are over. */
export function withoutFinished(list: TransferInfo[]): TransferInfo[] {
  return list.filter(isActive);
}

/** Two locations are the same place (the local machine, or the same container). */
export function sameLocation(a: FileLocation | undefined, b: FileLocation | undefined): boolean {
  return !!a && !!b && JSON.stringify(a) === JSON.stringify(b);
}

/** Which way a transfer goes, in words. */
export function directionLabel(direction: TransferInfo['direction']): string {
  const labels: Record<TransferInfo['direction'], string> = {
    upload: 'local → container',
    download: 'container → local',
    local: 'local → local',
    container: 'container → container',
  };
  return labels[direction];
}

/** `a` of `b` in percent, 0 while the total is unknown, never over 100. */
export function percent(a: number, b: number): number {
  return b > 0 ? Math.min(100, (a / b) * 100) : 0;
}

const MARKS: Record<TransferItemState['state'], string> = { done: '✓', failed: '✗', skipped: '↷', cancelled: '⊘', running: '…', queued: '·' };

/** The one-character mark in front of an item. */
export function itemMark(state: TransferItemState['state']): string {
  return MARKS[state];
}

/** An item's name, with the name it landed under when keep-both renamed it. */
export function itemName(it: Pick<TransferItemState, 'path' | 'finalPath'>): string {
  const name = baseName(it.path);
  return it.finalPath && baseName(it.finalPath) !== name ? `${name} → ${baseName(it.finalPath)}` : name;
}

/** What a transfer copies: the one item's name, or how many. */
export function transferTitle(t: Pick<TransferInfo, 'items'>): string {
  return t.items.length === 1 ? baseName(t.items[0].path) : `${t.items.length} items`;
}

/** A file to send, as much of the browser's File as the upload needs. */
export interface StageSource {
  name: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** The main side's stageUpload: appends `bytes` at `offset`; `final` closes the file and returns its path. */
export type StageChunk = (name: string, bytes: Uint8Array, offset: number, final: boolean) => Promise<{ path: string }>;

/** Chunks of 1 MiB: small enough for one WebSocket message, large enough to be quick. */
export const STAGE_CHUNK = 1 << 20;

/** Sends one file to the main side in chunks and returns the path it was staged at there. */
export async function stageFile(file: StageSource, stage: StageChunk, onProgress: (sent: number) => void, chunk = STAGE_CHUNK): Promise<string> {
  // An empty file is still one (final) call, so that it exists on the main side.
  if (file.size === 0) return (await stage(file.name, new Uint8Array(0), 0, true)).path;
  let path = '';
  for (let off = 0; off < file.size; off += chunk) {
    onProgress(off);
    const bytes = await file.read(off, off + chunk);
    path = (await stage(file.name, bytes, off, off + chunk >= file.size)).path;
  }
  return path;
}
