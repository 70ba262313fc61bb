// pixel3dmm-web/record: record a tracker's frames into a take; export JSON, Live Link Face CSV and glTF.
export { Recorder, type RecordableTracker } from './sdk/record/Recorder.js';
export { Take } from './sdk/record/Take.js';
export type { TakeData, TakeFrame, TakeGap, TakeSource } from './sdk/record/TakeData.js';
export { TakeFrameStore, type TakeFrameLayout } from './sdk/record/TakeFrameStore.js';
export type { TakeGlbOptions } from './sdk/record/takeToGlb.js';
export { TAKE_FORMAT, TAKE_VERSION, type TakeFrameJSON, type TakeGapJSON, type TakeJSON, type TakeModelJSON } from './sdk/record/takeSchema.js';
export { LIVE_LINK_CSV_HEADER, type LiveLinkCsvOptions } from './sdk/record/liveLinkCsv.js';
