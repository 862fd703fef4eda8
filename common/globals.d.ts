/**
 * The web-standard globals common/ may use: every runtime of ours (Node ≥ 22, Electron's main and preload,
 * Chromium pages) has them, but TypeScript declares them only in the DOM lib or @types/node, and common/
 * includes neither (so it cannot reach `fs`, `process` or `document` by accident). Only what common/ uses.
 */
declare function btoa(data: string): string;
declare function atob(data: string): string;

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** The wire client rethrows a listener's exception on its own turn (common/wire/wireClient.ts). */
declare function queueMicrotask(callback: () => void): void;
