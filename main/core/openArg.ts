/**
 * `kubedeck --open context/namespace/pod/container` (the Electron app) → the renderer's terminal deep link
 * (its format: common/deepLink.ts). Only the argv part lives here; plain Node so it is tested without Electron.
 */
import { terminalLink } from '../../common/deepLink.ts';

export function deepLinkFromArgv(argv: string[]): { hash: string; error?: string } {
  const i = argv.indexOf('--open');
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--open='))?.slice('--open='.length);
  if (value === undefined) return i >= 0 ? { hash: '', error: '--open expects context/namespace/pod/container' } : { hash: '' };
  const parts = value.split('/');
  if (parts.length !== 4 || parts.some((p) => !p.trim())) {
    return { hash: '', error: `--open expects context/namespace/pod/container, got ${JSON.stringify(value)}` };
  }
  const [context, namespace, pod, container] = parts;
  return { hash: terminalLink({ context, namespace, pod, container }) };
}
