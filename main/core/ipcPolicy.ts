/**
 * Who may call the contract over Electron IPC, kept out of main/app so it is tested under plain Node.
 * Only the app's own page, in its top frame, served from the app's privileged scheme: not an iframe,
 * not a page the window was somehow navigated to, not a devtools extension.
 */
export const APP_SCHEME = 'kubedeck';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** The parts of Electron's IpcMainInvokeEvent this check needs. */
export interface SenderInfo {
  senderFrame: { url: string } | null | undefined;
  sender: { mainFrame: unknown };
}

export function isTrustedSender(event: SenderInfo): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    const url = new URL(frame.url);
    return url.protocol === `${APP_SCHEME}:` && url.host === 'app';
  } catch {
    return false;
  }
}
