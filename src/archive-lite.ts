export { hashFromMap, makeAndHashArchiveFromMap, makeArchiveFromMap, mapFromMap, writeArchiveFromMap, type ArchiveOptions } from './pack/index.js';
