import * as ns from 'express';
export { ns };
