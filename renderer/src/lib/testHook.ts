/**
 * A read-only hook for end-to-end tests and debugging: the text of a terminal's buffer, whatever renderer
 * (WebGL or DOM) draws it. Holds no secret and changes nothing.
 */
type Reader = () => string;

/** Output bytes written to each terminal (for throughput checks). */
export const bytesWritten = new Map<string, number>();

const readers = new Map<string, Reader>();

export function registerTerminalReader(sessionKey: string, read: Reader): () => void {
  readers.set(sessionKey, read);
  return () => {
    if (readers.get(sessionKey) === read) readers.delete(sessionKey);
  };
}

declare global {
  interface Window {
    kubedeckTest?: { terminalText(sessionKey: string): string | undefined; bytesWritten(sessionKey: string): number };
  }
}

window.kubedeckTest = { terminalText: (key) => readers.get(key)?.(), bytesWritten: (key) => bytesWritten.get(key) ?? 0 };
