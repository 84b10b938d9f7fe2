export * from './random/index.js';
export * from './shuffler/index.js';
export * from './slot/index.js';
