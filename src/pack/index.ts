export {
  captureFromMap,
  hashFromMap,
  hashLocation,
  makeAndHashArchive,
  makeAndHashArchiveFromMap,
  makeArchive,
  makeArchiveFromMap,
  mapFromMap,
  mapLocation,
  writeArchive,
  writeArchiveFromMap,
  zipDigest,
  type ArchiveLocationOptions,
  type ArchiveOptions,
} from './archive.js';
export { archiveNames, captureModules, digestCapture, type Capture, type CaptureOptions, type Digest } from './capture.js';
