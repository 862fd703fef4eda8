import type { Ctx } from './bench.ts';

export interface ScaleResult {
  mainPerTerminal: number;
  rendererPerTerminal: number;
  floodLatencies: number[];
  note?: string;
}

export interface E2eResults {
  webgl: boolean;
  throughput(command: string[], expectBytes: number): Promise<number>;
  echo(keys: number): Promise<number[]>;
  firstPrompt(n: number): Promise<number[]>;
  scale(terminals: number, floodKeys: number): Promise<ScaleResult>;
  dispose(): Promise<void>;
}

export async function e2eSection(_ctx: Ctx): Promise<E2eResults> {
  throw new Error('not written yet');
}
