// Cordon's lockdown bundle: ses, locked down with its defaults, and a console that inspects objects.
import './console.js';
import 'ses';
import { boot } from './boot.js';

boot();
