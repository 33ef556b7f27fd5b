export {
  importArchive,
  loadArchive,
  parseArchive,
  readZip,
  type ArchiveApplication,
  type ArchiveImportOptions,
  type ArchiveLimits,
  type ParseArchiveOptions,
} from './archive.js';
export { describeArchive, type ArchiveDescription } from './describe.js';
