import { z } from 'zod';
import { Cents, EpochMillis, EventId, eventBase, Identifier } from './common.js';
import { CardNumber, PlayerToken } from './player-token.js';

/** Where a machine stands on the floor; positions are metres from the floor plan's origin, for heatmaps. */
export const MachineLocation = z
  .object({
    bank: Identifier.describe('Bank (row of machines) id'),
    zone: Identifier.describe('Floor zone id, e.g. high-limit, main-floor'),
    x: z.number().min(0).max(10_000).describe('Floor plan x, metres'),
    y: z.number().min(0).max(10_000).describe('Floor plan y, metres'),
  })
  .meta({ id: 'MachineLocation' });
export type MachineLocation = z.infer<typeof MachineLocation>;

/** A paytable with the theoretical hold it is certified at: the share of coin-in the game keeps in the long run. */
export const Paytable = z
  .object({
    paytableId: Identifier,
    theoreticalHold: z.number().gt(0).lt(1).describe('Long-run share of coin-in kept by the game, e.g. 0.08'),
  })
  .meta({ id: 'Paytable' });
export type Paytable = z.infer<typeof Paytable>;

/** Machine identity and metadata, kept by SlotGateway's configuration and attached to every uplinked event. */
export const MachineIdentity = z
  .object({
    machineId: Identifier,
    location: MachineLocation,
    denominationCents: Cents.min(1).describe('Credit value in cents'),
    gameId: Identifier,
    paytable: Paytable,
    manufacturer: z.string().max(64).optional(),
  })
  .meta({ id: 'MachineIdentity' });
export type MachineIdentity = z.infer<typeof MachineIdentity>;

const slotBase = {
  ...eventBase,
  machineId: Identifier.describe('Slot machine id; also the SMIB client id'),
  location: MachineLocation.optional().describe('Added by SlotGateway from its machine metadata'),
};

/** Session id: the eventId of the card-in that opened it. */
const SessionId = z.uuid({ version: 'v7' }).describe('Session id: the eventId of the card-in that opened the session');

const carded = {
  playerToken: PlayerToken.optional().describe('Set by SlotGateway when a card is in'),
  sessionId: SessionId.optional(),
};

export const GamePlayed = z
  .object({
    ...slotBase,
    type: z.literal('game_played'),
    gameId: Identifier.describe('Game (theme) id'),
    paytableId: Identifier.describe('Paytable the game ran on'),
    theoreticalHold: z.number().gt(0).lt(1).describe('Certified theoretical hold of that paytable, e.g. 0.08'),
    denominationCents: Cents.min(1).describe('Credit value in cents'),
    wagerCents: Cents.describe('Coin-in of this game'),
    winCents: Cents.describe('Amount won on this game (0 for a loss)'),
    ...carded,
  })
  .meta({ id: 'GamePlayed', description: 'One game played (SAS meters: games played, coin in, coin out).' });

export const CardIn = z
  .object({ ...slotBase, type: z.literal('card_in'), playerToken: PlayerToken })
  .meta({ id: 'CardIn', description: 'Player card inserted: a rated session starts; the event id is the session id.' });

export const CardOut = z
  .object({
    ...slotBase,
    type: z.literal('card_out'),
    playerToken: PlayerToken,
    sessionId: SessionId.optional(),
    reason: z.enum(['removed', 'abandoned']).default('removed'),
  })
  .meta({ id: 'CardOut', description: 'Player card removed, or declared abandoned by the SMIB.' });

export const BillIn = z
  .object({ ...slotBase, type: z.literal('bill_in'), amountCents: Cents.min(1).describe('Bill value'), ...carded })
  .meta({ id: 'BillIn', description: 'Bill accepted by the bill validator.' });

export const TicketOut = z
  .object({
    ...slotBase,
    type: z.literal('ticket_out'),
    amountCents: Cents.min(1),
    ticketId: z.string().regex(/^[0-9]{4,24}$/),
    ...carded,
  })
  .meta({ id: 'TicketOut', description: 'TITO ticket printed (cash out).' });

export const Handpay = z
  .object({
    ...slotBase,
    type: z.literal('handpay'),
    amountCents: Cents.min(1),
    kind: z.enum(['jackpot', 'cancelled_credit']),
    ...carded,
  })
  .meta({ id: 'Handpay', description: 'Handpay: a jackpot or cancelled credit paid by an attendant.' });

export const Door = z
  .object({
    ...slotBase,
    type: z.literal('door'),
    door: z.enum(['main', 'belly', 'cashbox', 'logic', 'drop']),
    state: z.enum(['open', 'closed']),
  })
  .meta({ id: 'Door', description: 'A machine door opened or closed (G2S door events).' });

export const Tilt = z
  .object({
    ...slotBase,
    type: z.literal('tilt'),
    code: z.string().min(1).max(32),
    description: z.string().max(256),
  })
  .meta({ id: 'Tilt', description: 'A machine fault (tilt) with its manufacturer code.' });

export const Power = z
  .object({ ...slotBase, type: z.literal('power'), state: z.enum(['on', 'off']) })
  .meta({ id: 'Power', description: 'Machine powered on or off.' });

export const OfferResponseEvent = z
  .object({
    ...slotBase,
    type: z.literal('offer_response'),
    offerId: z.uuid({ version: 'v7' }),
    response: z.enum(['accepted', 'declined']),
    ...carded,
  })
  .meta({ id: 'OfferResponseEvent', description: 'The player answered an offer on the machine display.' });

/**
 * A slot event as uplinked to the cloud: tokenised (no card number) and enriched with the machine's
 * location by SlotGateway.
 */
export const SlotEvent = z
  .discriminatedUnion('type', [
    GamePlayed,
    CardIn,
    CardOut,
    BillIn,
    TicketOut,
    Handpay,
    Door,
    Tilt,
    Power,
    OfferResponseEvent,
  ])
  .meta({ id: 'SlotEvent', description: 'A slot event on the uplink `slot` stream.' });
export type SlotEvent = z.infer<typeof SlotEvent>;
export type SlotEventType = SlotEvent['type'];

/** Fields SlotGateway adds: an SMIB never sends them. */
const gatewayAdded = { playerToken: true, sessionId: true, location: true } as const;

/**
 * What an SMIB adds to an event played while a card is in: the card and the card-in that opened the
 * session. SlotGateway then rates the event without depending on the card-in having reached it first
 * (a resent card-in can arrive after the games that followed it).
 */
const smibCarded = {
  cardNumber: CardNumber.optional().describe('The card in the machine (floor only: SlotGateway replaces it)'),
  sessionId: SessionId.optional().describe('The eventId of the card-in of the session under way'),
};

const SmibCardIn = z
  .object({ ...eventBase, machineId: slotBase.machineId, type: z.literal('card_in'), cardNumber: CardNumber })
  .meta({ id: 'SmibCardIn', description: 'Card inserted, as the SMIB reports it: with the card number.' });
const SmibCardOut = z
  .object({
    ...eventBase,
    machineId: slotBase.machineId,
    type: z.literal('card_out'),
    cardNumber: CardNumber,
    reason: z.enum(['removed', 'abandoned']).default('removed'),
  })
  .meta({ id: 'SmibCardOut', description: 'Card removed, as the SMIB reports it: with the card number.' });

/**
 * What an SMIB publishes on `smib/{machineId}/events` on the core's client-device broker. Card events
 * carry the card number; SlotGateway replaces it with a player token before anything leaves the core.
 */
export const SmibEvent = z
  .discriminatedUnion('type', [
    GamePlayed.omit(gatewayAdded).extend(smibCarded).meta({
      id: 'SmibGamePlayed',
      description: 'One game played, as the SMIB reports it.',
    }),
    SmibCardIn,
    SmibCardOut,
    BillIn.omit(gatewayAdded)
      .extend(smibCarded)
      .meta({ id: 'SmibBillIn', description: 'Bill accepted, as the SMIB reports it.' }),
    TicketOut.omit(gatewayAdded)
      .extend(smibCarded)
      .meta({ id: 'SmibTicketOut', description: 'Ticket printed, as the SMIB reports it.' }),
    Handpay.omit(gatewayAdded)
      .extend(smibCarded)
      .meta({ id: 'SmibHandpay', description: 'Handpay, as the SMIB reports it.' }),
    Door.omit({ location: true }).meta({
      id: 'SmibDoor',
      description: 'Door opened or closed, as the SMIB reports it.',
    }),
    Tilt.omit({ location: true }).meta({ id: 'SmibTilt', description: 'Tilt, as the SMIB reports it.' }),
    Power.omit({ location: true }).meta({ id: 'SmibPower', description: 'Power on or off, as the SMIB reports it.' }),
    OfferResponseEvent.omit(gatewayAdded).extend(smibCarded).meta({
      id: 'SmibOfferResponse',
      description: 'Offer answered on the display, as the SMIB reports it.',
    }),
  ])
  .meta({
    id: 'SmibEvent',
    description: 'An event as an SMIB publishes it on the core (card number in clear, floor only).',
  });
export type SmibEvent = z.infer<typeof SmibEvent>;

/** What the core sends to a machine's display on `smib/{machineId}/display`. */
export const DisplayMessage = z
  .object({
    kind: z.literal('offer'),
    offerId: z.uuid({ version: 'v7' }),
    machineId: Identifier,
    text: z.string().min(1).max(280),
    valueCents: Cents,
    expiresAt: EpochMillis,
    sentAt: EpochMillis,
  })
  .meta({ id: 'DisplayMessage', description: 'An offer shown on the machine display.' });
export type DisplayMessage = z.infer<typeof DisplayMessage>;

/** Event ids acknowledged in one {@link SmibAck}: a batch, so a burst costs a handful of messages. */
export const MAX_SMIB_ACK_IDS = 500;

/**
 * What SlotGateway sends on `smib/{machineId}/acks` once it has made the machine's events durable on
 * the core (or dead-lettered them). An SMIB keeps every event it published until its id comes back
 * here, and resends it otherwise: neither the MQTT bridge, local pub/sub nor the gateway's MQTT client
 * can defer its own acknowledgement until then.
 */
export const SmibAck = z
  .object({
    machineId: Identifier,
    eventIds: z.array(EventId).min(1).max(MAX_SMIB_ACK_IDS),
  })
  .meta({ id: 'SmibAck', description: 'SMIB events the core has made durable; the SMIB stops resending them.' });
export type SmibAck = z.infer<typeof SmibAck>;
