/**
 * Transitional: main/core/clusters (being split on another branch of the shape work, issue 9) still
 * imports these names from here. At the merge its imports move to apiErrors.ts and runCollect.ts, and
 * this file is deleted: the exec itself lives in execStream.ts.
 */
export { describeHttpFailure, describeNetworkError } from './apiErrors.ts';
export { runExec } from './runCollect.ts';
