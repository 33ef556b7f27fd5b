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
export { bundleTestExports, importBundle, wrapInescapableCompartment, type ImportBundleOptions, type ImportBundlePowers, type SourceTransform } from './import-bundle.js';
export { checkBundle } from './check-bundle.js';
