export {
  importFromMap,
  importLocation,
  loadFromMap,
  loadLocation,
  type Application,
  type ImportOptions,
  type LoadLocationOptions,
  type LoadOptions,
} from './import.js';
