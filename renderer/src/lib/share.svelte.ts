/**
 * The owner's share links, as the tabs and the Share… dialog show them: the list (with each link's
 * holders connected now), refreshed when the server says a viewer joined or left or a link changed.
 */
import type { ContainerRef, CreateShareLinkRequest, ShareLinkCreated, ShareLinkInfo, ShareViewerInfo } from '../../../common/contract/index.ts';
import { api } from './api.ts';

/** What the dialog shares: one terminal (the tab's focused pane) and the container it runs in. */
export interface ShareTarget {
  terminal: string;
  ref: ContainerRef;
  title: string;
}

const sameRef = (a: ContainerRef | undefined, b: ContainerRef): boolean =>
  !!a && a.context === b.context && a.namespace === b.namespace && a.pod === b.pod && a.container === b.container;

/** The links that reach a terminal: links to it, and links to its container. */
export function linksFor(links: ShareLinkInfo[], terminal: string, ref: ContainerRef | undefined): ShareLinkInfo[] {
  return links.filter((l) => l.terminal === terminal || (ref !== undefined && sameRef(l.container, ref)));
}

class ShareLinks {
  links = $state<ShareLinkInfo[]>([]);
  target = $state<ShareTarget | undefined>();
  private started = false;

  /** Starts following the server's share events (once). */
  ensure(): void {
    if (this.started) return;
    this.started = true;
    api.on('share.links', () => void this.refresh());
    api.on('share.viewer', () => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.links = await api.listShareLinks();
    } catch {
      // Not reachable now (a reconnecting socket): the next event refreshes.
    }
  }

  open(target: ShareTarget): void {
    this.ensure();
    this.target = target;
    void this.refresh();
  }

  close(): void {
    this.target = undefined;
  }

  async create(req: CreateShareLinkRequest): Promise<ShareLinkCreated> {
    const made = await api.createShareLink(req);
    await this.refresh();
    return made;
  }

  async revoke(id: string): Promise<void> {
    await api.revokeShareLink(id);
    await this.refresh();
  }

  /** Who is connected now through links that reach this terminal. */
  viewersOf(terminal: string, ref: ContainerRef | undefined): ShareViewerInfo[] {
    return linksFor(this.links, terminal, ref).flatMap((l) => l.viewers.filter((v) => v.terminal === undefined || v.terminal === terminal));
  }
}

export const shareLinks = new ShareLinks();
