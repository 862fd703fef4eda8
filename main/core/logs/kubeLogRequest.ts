/**
 * The plain streamed GET of pods/log through a context's KubeConfig (its TLS, token or credential plugin).
 * Hand-written rather than client-node's `Log`: that class turns every non-500 refusal into "Error occurred in
 * log request" (the API server's sentence — "previous terminated container … not found" — is lost) and pipes the
 * body, which hides a dropped connection from the caller; here the response comes back as it is.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LogRequest } from './containerStream.ts';

export function kubeLogRequest(kubeConfigFor: (context: string) => KubeConfig, context: string): LogRequest {
  return async (namespace, pod, query, signal) => {
    const kc = kubeConfigFor(context);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`context ${context} has no cluster`);
    const url = new URL(`${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
    url.search = query.toString();
    const opts: RequestOptions = { method: 'GET', headers: { accept: 'text/plain, */*' }, signal };
    await kc.applyToHTTPSOptions(opts);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, opts, resolve);
      req.on('error', reject);
      req.end();
    });
  };
}
