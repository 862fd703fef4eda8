/**
 * The recordings domain of the contract, for one client: methods over the shared RecordingStore and
 * AuditLog, and their events ('recordings.changed', 'audit.appended') sent through that client's `emit`.
 * Call dispose() when the client goes.
 */
import type { RecordingInfo, RecordingSearchHit, RecordingSettings, RecordingsEvents, RecordingsMethods } from '../../../common/contract/recordings.ts';
import type { AuditEntry, AuditEvents, AuditMethods } from '../../../common/contract/audit.ts';
import type { AuditLog } from '../audit/auditLog.ts';
import type { RecordingStore } from './recordingStore.ts';

export type RecordingsEmit = <E extends keyof (RecordingsEvents & AuditEvents)>(name: E, payload: (RecordingsEvents & AuditEvents)[E]) => void;

export class RecordingsService implements RecordingsMethods, AuditMethods {
  private readonly disposers: (() => void)[] = [];

  /**
   * @param who recorded in the audit trail for deletions and settings changes (e.g. the OS user name)
   */
  constructor(
    private readonly store: RecordingStore,
    private readonly audit: AuditLog,
    emit?: RecordingsEmit,
    private readonly who = 'local',
  ) {
    if (emit) {
      let pending = false;
      this.disposers.push(
        store.onDidChange(() => {
          // Coalesce bursts (retention deleting many files) into one list per tick.
          if (pending) return;
          pending = true;
          setTimeout(() => {
            pending = false;
            void store.list().then(
              (recordings) => emit('recordings.changed', { recordings }),
              () => undefined,
            );
          }, 50);
        }),
        audit.onDidAppend((e) => emit('audit.appended', e)),
      );
    }
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
  }

  listRecordings(): Promise<RecordingInfo[]> {
    return this.store.list();
  }

  readRecording(id: string): Promise<string> {
    return this.store.read(id);
  }

  async deleteRecording(id: string): Promise<void> {
    await this.store.delete(id);
    await this.audit.append('recording.delete', this.who, { recording: id });
  }

  searchRecordings(query: string): Promise<RecordingSearchHit[]> {
    return this.store.search(query);
  }

  async getRecordingSettings(): Promise<RecordingSettings> {
    return this.store.settings;
  }

  async setRecordingSettings(s: RecordingSettings): Promise<RecordingSettings> {
    const saved = await this.store.setSettings(s);
    await this.audit.append('settings.recordings', this.who, { ...saved });
    return saved;
  }

  async readAudit(): Promise<{ entries: AuditEntry[]; intact: boolean; brokenAt?: number; reason?: string }> {
    const [entries, v] = await Promise.all([this.audit.read(), this.audit.verify()]);
    return { entries, intact: v.intact, ...(v.brokenAt !== undefined ? { brokenAt: v.brokenAt, reason: v.reason } : {}) };
  }
}
