/** Session recordings (asciicast v2): the store, the per-session recorder, and the contract's service. */
export { RecordingStore, DEFAULT_SETTINGS, validateSettings, type RecordingStoreOptions } from './recordingStore.ts';
export { Recorder, type RecordingMeta } from './recorder.ts';
export { RecordingsService, type RecordingsEmit } from './recordingsService.ts';
