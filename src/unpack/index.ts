export {
  describeArchive,
  importArchive,
  loadArchive,
  parseArchive,
  readZip,
  type ArchiveApplication,
  type ArchiveDescription,
  type ArchiveImportOptions,
  type ArchiveLimits,
  type ParseArchiveOptions,
} from './archive.js';
