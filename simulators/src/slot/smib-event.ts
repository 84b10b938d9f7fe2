import type {
  BillIn,
  CardIn,
  CardOut,
  Door,
  GamePlayed,
  Handpay,
  OfferResponseEvent,
  Power,
  TicketOut,
  Tilt,
} from '@croupier/contracts';
import type { z } from 'zod';

type Uncarded<T> = Omit<T, 'playerToken' | 'sessionId'>;

/**
 * The TypeScript shape of an event as an SMIB publishes it, spelled out from the contract's member
 * schemas: `z.infer<typeof SmibEvent>` collapses to the card events only, because the contract's
 * `stripCarded` helper erases each member's shape. Every event built with this type is still
 * validated at runtime by the `SmibEvent` schema in tests.
 */
export type SmibEvent =
  | Uncarded<z.infer<typeof GamePlayed>>
  | (Omit<z.infer<typeof CardIn>, 'playerToken'> & { cardNumber: string })
  | (Omit<z.infer<typeof CardOut>, 'playerToken' | 'sessionId'> & { cardNumber: string })
  | Uncarded<z.infer<typeof BillIn>>
  | Uncarded<z.infer<typeof TicketOut>>
  | Uncarded<z.infer<typeof Handpay>>
  | z.infer<typeof Door>
  | z.infer<typeof Tilt>
  | z.infer<typeof Power>
  | Uncarded<z.infer<typeof OfferResponseEvent>>;
