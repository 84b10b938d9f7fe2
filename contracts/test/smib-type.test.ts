import { describe, expectTypeOf, it } from 'vitest';
import type { SmibEvent } from '../src/index.js';

describe('SmibEvent type', () => {
  it('keeps every member of the union with its own fields', () => {
    expectTypeOf<Extract<SmibEvent, { type: 'game_played' }>>().toHaveProperty('wagerCents');
    expectTypeOf<Extract<SmibEvent, { type: 'card_in' }>>().toHaveProperty('cardNumber');
    expectTypeOf<Extract<SmibEvent, { type: 'door' }>>().toHaveProperty('door');
    expectTypeOf<Extract<SmibEvent, { type: 'game_played' }>>().not.toHaveProperty('playerToken');
  });
});
