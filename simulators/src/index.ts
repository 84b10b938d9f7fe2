export * from './random/index.js';
export * from './shuffler/index.js';
export * from './slot/index.js';
export {
  ensurePlayerTokenKey,
  PLAYER_TOKEN_KEY_BYTES,
  PlayerTokenKeyFileError,
} from './slot/player-token-key-file.js';
