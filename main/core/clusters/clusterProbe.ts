/**
 * One status probe of a cluster: ask the server for its version, within a time limit, and turn the
 * answer into a ClusterStatus a user can act on. The version call is passed in, so the wording and
 * the time limit can be tested without a cluster.
 */
import type { ClusterStatus } from '../../../common/contract/clusters.ts';
import { describeApiError } from '../kube/apiErrors.ts';

export interface ProbeOptions {
  /** The server's URL, for the sentences ("cannot reach https://…"). */
  server?: string;
  /** How long the server may take before the cluster counts as unreachable. */
  timeoutMs: number;
}

/** Connected (with the server's version), or error with the reason and the HTTP code if there was one. */
export async function probeCluster(getVersion: () => Promise<{ gitVersion?: string }>, opts: ProbeOptions): Promise<ClusterStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      getVersion(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from ${opts.server} within ${opts.timeoutMs / 1000} s`)), opts.timeoutMs);
      }),
    ]);
    return { state: 'connected', serverVersion: version.gitVersion };
  } catch (err) {
    const { reason, code } = describeApiError(err, opts.server);
    return code ? { state: 'error', reason, code } : { state: 'error', reason };
  } finally {
    clearTimeout(timer);
  }
}
