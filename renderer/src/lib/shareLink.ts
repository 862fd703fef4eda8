/**
 * The share page's first steps, before any WebSocket: take the token out of the URL fragment (and out of
 * the address bar and history, with replaceState), trade it once for the link's cookie
 * (POST /share/exchange), or — on a reload, with no fragment — ask the server what the cookie is good for
 * (GET /share/status). Every answer that is not a go is a sentence for the page to show.
 */
import type { ShareSessionInfo } from '../../../common/contract/share.ts';

export type ShareStart = { ok: true; session: ShareSessionInfo } | { ok: false; message: string };

type Fetch = (input: string, init?: { method?: string; headers?: Record<string, string>; body?: string; credentials?: 'same-origin' }) => Promise<{ status: number; json(): Promise<unknown> }>;

/** The `t` parameter of a fragment like `#t=…`; removes the fragment from the address bar and history at once. */
export function takeFragmentToken(loc: Pick<Location, 'hash' | 'pathname' | 'search'>, history: Pick<History, 'replaceState'>): string | undefined {
  const token = new URLSearchParams(loc.hash.replace(/^#/, '')).get('t') ?? undefined;
  if (loc.hash) history.replaceState(null, '', loc.pathname + loc.search);
  return token || undefined;
}

async function answer(res: { status: number; json(): Promise<unknown> }): Promise<ShareStart> {
  let body: { ok?: unknown; session?: ShareSessionInfo; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not our JSON (a proxy's error page): said below.
  }
  if (body.ok === true && body.session) return { ok: true, session: body.session };
  return { ok: false, message: typeof body.message === 'string' ? body.message : `The server answered ${res.status}; the link cannot be opened.` };
}

/** Trades the token for the cookie (once), or asks what the cookie this browser holds is good for. */
export async function startShare(fetchFn: Fetch, token: string | undefined): Promise<ShareStart> {
  try {
    if (token) {
      return await answer(await fetchFn('/share/exchange', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }), credentials: 'same-origin' }));
    }
    return await answer(await fetchFn('/share/status', { credentials: 'same-origin' }));
  } catch (err) {
    return { ok: false, message: `The Kubedeck server cannot be reached (${(err as Error).message}).` };
  }
}

/** "expires in 59 min", "expires in 2 h 5 min", "expires in 3 days", "has expired". */
export function expiresIn(expiresAt: number, now = Date.now()): string {
  const s = Math.floor((expiresAt - now) / 1000);
  if (s <= 0) return 'has expired';
  if (s < 60) return `expires in ${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `expires in ${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `expires in ${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `expires in ${Math.floor(h / 24)} days`;
}
