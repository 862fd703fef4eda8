/**
 * The recordings view's state, as a store like terminals and clusters: the list (kept current by
 * recordings.changed, and re-read while a recording is live so its size and duration grow), the filter,
 * search across every recording, the recording open in the player, delete, and the settings form.
 * What can be checked without Svelte is in recordingList.ts.
 */
import type { KubedeckApi, RecordingInfo, RecordingSearchHit, RecordingSettings } from '../../../common/contract/index.ts';
import { api } from './api.ts';
import { filterRecordings, policyContexts, withContext, withMode } from './recordingList.ts';

/** A recording open in the player; `key` changes with every open, so the player starts afresh. */
export interface OpenRecording {
  info: RecordingInfo;
  text: string;
  /** Recording time to open at (a search hit's), and the text to select there. */
  startAt?: number;
  highlight?: string;
  key: number;
}

const message = (err: unknown) => (err as Error).message;

/** The settings form: loaded when it opens, saved as a whole. */
class SettingsForm {
  shown = $state(false);
  value = $state<RecordingSettings | undefined>();
  /** The clusters the per-cluster policy can tick. */
  contexts = $state<string[]>([]);
  error = $state<string | undefined>();
  saved = $state(false);
  saving = $state(false);

  constructor(private readonly api: KubedeckApi) {}

  async toggle(): Promise<void> {
    this.shown = !this.shown;
    if (!this.shown) return;
    this.error = undefined;
    this.saved = false;
    try {
      const s = await this.api.getRecordingSettings();
      this.value = s;
      const { clusters } = await this.api.listClusters();
      this.contexts = policyContexts(clusters.map((c) => c.context), s.policy);
    } catch (err) {
      this.error = message(err);
    }
  }

  setMode(mode: RecordingSettings['policy']['mode']): void {
    if (this.value) this.value.policy = withMode(this.value.policy, mode);
  }

  tickContext(context: string, on: boolean): void {
    if (this.value) this.value.policy = withContext(this.value.policy, context, on);
  }

  async save(): Promise<void> {
    if (!this.value) return;
    this.saving = true;
    try {
      // The form takes the saved settings back: the main side may have normalized them.
      this.value = await this.api.setRecordingSettings($state.snapshot(this.value));
      this.error = undefined;
      this.saved = true;
      setTimeout(() => (this.saved = false), 2500);
    } catch (err) {
      this.error = message(err);
    } finally {
      this.saving = false;
    }
  }
}

class Recordings {
  list = $state<RecordingInfo[]>([]);
  loading = $state(true);
  error = $state<string | undefined>();
  filter = $state('');
  filtered = $derived(filterRecordings(this.list, this.filter));
  byId = $derived(new Map(this.list.map((r) => [r.id, r])));
  /** What the search box holds; `searchedFor` is the query the hits answer. */
  query = $state('');
  searchedFor = $state('');
  hits = $state<RecordingSearchHit[] | undefined>();
  searching = $state(false);
  selected = $state<OpenRecording | undefined>();
  /** The player's Delete was pressed once: the next press deletes. */
  confirmDelete = $state(false);
  readonly settings: SettingsForm;

  private openSeq = 0;

  constructor(private readonly api: KubedeckApi) {
    this.settings = new SettingsForm(api);
  }

  /** Loads the list and follows changes; the returned function stops that. */
  start(): () => void {
    void this.refresh();
    const off = this.api.on('recordings.changed', ({ recordings }) => {
      this.list = recordings;
      const now = this.selected && recordings.find((r) => r.id === this.selected!.info.id);
      if (this.selected && now) this.selected.info = now;
    });
    // Live recordings grow: refresh their duration and size now and then.
    const timer = setInterval(() => {
      if (this.list.some((r) => r.live)) void this.refresh();
    }, 5000);
    return () => {
      off();
      clearInterval(timer);
    };
  }

  async refresh(): Promise<void> {
    try {
      this.list = await this.api.listRecordings();
      this.error = undefined;
    } catch (err) {
      this.error = `Cannot list recordings: ${message(err)}`;
    } finally {
      this.loading = false;
    }
  }

  /** Opens a recording in the player; only the latest of overlapping opens shows. */
  async open(id: string, startAt?: number, highlight?: string): Promise<void> {
    const seq = ++this.openSeq;
    try {
      const info = this.byId.get(id) ?? (await this.api.listRecordings()).find((r) => r.id === id);
      if (!info) throw new Error('it was deleted');
      const text = await this.api.readRecording(id);
      if (seq !== this.openSeq) return;
      this.confirmDelete = false;
      this.selected = { info, text, startAt, highlight, key: seq };
      this.error = undefined;
    } catch (err) {
      this.error = `Cannot open the recording: ${message(err)}`;
    }
  }

  close(): void {
    this.selected = undefined;
  }

  async search(): Promise<void> {
    const q = this.query.trim();
    if (!q) {
      this.hits = undefined;
      return;
    }
    this.searching = true;
    try {
      this.hits = await this.api.searchRecordings(q);
      this.searchedFor = q;
      this.error = undefined;
    } catch (err) {
      this.error = `Search failed: ${message(err)}`;
    } finally {
      this.searching = false;
    }
  }

  /** Deletes the recording open in the player. */
  async remove(): Promise<void> {
    if (!this.selected) return;
    const id = this.selected.info.id;
    try {
      await this.api.deleteRecording(id);
      this.selected = undefined;
      this.confirmDelete = false;
      this.list = this.list.filter((r) => r.id !== id);
      if (this.hits) this.hits = this.hits.filter((h) => h.recordingId !== id);
    } catch (err) {
      this.error = `Cannot delete: ${message(err)}`;
      this.confirmDelete = false;
    }
  }
}

export const recordings = new Recordings(api);
