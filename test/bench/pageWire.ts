/**
 * Bundled into the bench's pages as an init script (serveProcess.ts builds it): the common wire client and
 * frame decoder on `globalThis.__kdWire`, so what the bench does in a page speaks the wire format through
 * the same module as the app instead of a copy of it.
 */
import { WireClient } from '../../common/wire/wireClient.ts';
import { decodeTerminalData } from '../../common/wire/wire.ts';

export interface PageWire {
  WireClient: typeof WireClient;
  decodeTerminalData: typeof decodeTerminalData;
}

(globalThis as unknown as { __kdWire: PageWire }).__kdWire = { WireClient, decodeTerminalData };
