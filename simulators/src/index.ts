export * from './random/index.js';
export * from './shuffler/index.js';
