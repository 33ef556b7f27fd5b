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
