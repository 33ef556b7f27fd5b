// Cordon's debug lockdown bundle: the same, locked down for debugging. Errors keep their `stack`
// (errorTaming 'unsafe': the inspector and the host see the frames; the default bundle hides them), and
// SES turns fewer inherited properties into accessors (overrideTaming 'min': quieter debuggers). Stack
// filtering stays 'concise'.
import './console.js';
import 'ses';
import { boot } from './boot.js';

boot({ errorTaming: 'unsafe', overrideTaming: 'min' });
