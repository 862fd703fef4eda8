/**
 * The setup every file-engine test through the test cluster shares: one cluster, a ClusterRegistry
 * and a FilesService over it, a private temp folder, and the helpers the tests speak in (a container
 * location, its root on this machine, copy-and-wait, sha256 of a file, a big file of known content).
 * Call filesFixture() at the top of a test file: it registers the before/after hooks itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { FileLocation, TransferInfo, TransferRequest } from '../../common/contract/files.ts';
import { ClusterRegistry } from '../../main/core/clusters/clusterRegistry.ts';
import { FilesService, type FilesServiceOptions } from '../../main/core/files/filesService.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';

/** Names that break naive listings and copies: spaces, unicode, newlines, leading dash, quotes, backslash. */
export const ODD = ['with space', 'ünïcødé ✓', 'new\nline', '-leading-dash', '.hidden', "quote's \"x\"", 'back\\slash'];

export const local: FileLocation = { kind: 'local' };

export const pod = (name: string): FileLocation & { kind: 'container' } => ({ kind: 'container', context: 'kd-test-1', namespace: 'default', pod: name, container: 'main' });

export async function sha(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** A fixed pseudo-random pattern: one random MiB, each copy stamped with its index (no two MiB alike). */
export async function bigFile(file: string, mib: number): Promise<void> {
  const block = randomBytes(1 << 20);
  const fh = await fsp.open(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(i * 2654435761 >>> 0, 4096);
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
}

export interface FilesFixture {
  readonly tc: TestClusters;
  readonly svc: FilesService;
  /** A private temp folder, removed at the end. */
  readonly tmp: string;
  /** Every transfer.progress event the service sent. */
  readonly events: TransferInfo[];
  /** This machine's path of a container's root in the default namespace. */
  root(name: string): string;
  /** Starts a transfer (conflict: overwrite unless given) and waits for its end. */
  copy(req: Omit<TransferRequest, 'conflict'> & { conflict?: TransferRequest['conflict'] }): Promise<TransferInfo>;
}

export function filesFixture(opts: FilesServiceOptions = { stallMs: 3000 }, tmpPrefix = 'kd-files-'): FilesFixture {
  let tc: TestClusters;
  let reg: ClusterRegistry;
  let svc: FilesService;
  let tmp: string;
  const events: TransferInfo[] = [];
  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    reg = new ClusterRegistry({ kubeconfig: tc.kubeconfigPath });
    svc = new FilesService(reg, undefined, (_n, p) => events.push(p), opts);
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  });
  after(async () => {
    try {
      await svc?.dispose().catch(() => {});
      reg?.close();
      await tc?.stop();
    } finally {
      // A tmpfs left mounted by an interrupted disk-full case would keep its folder.
      await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
    }
  });
  return {
    get tc() {
      return tc;
    },
    get svc() {
      return svc;
    },
    get tmp() {
      return tmp;
    },
    events,
    root: (name) => tc.clusters[0].rootOf('default', name, 'main'),
    copy: async (req) => svc.waitFor((await svc.startTransfer({ conflict: 'overwrite', ...req })).id),
  };
}
