export { importArchive, loadArchive, parseArchive, type ArchiveApplication, type ArchiveImportOptions, type ParseArchiveOptions } from './unpack/index.js';
