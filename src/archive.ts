export { hashLocation, makeAndHashArchive, makeArchive, mapLocation, writeArchive, type ArchiveLocationOptions } from './pack/index.js';
