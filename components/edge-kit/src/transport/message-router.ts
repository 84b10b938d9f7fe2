import { matchesTopicFilter } from '@croupier/contracts';

/** What the router hands a route: the topic and a copy of the payload. */
export type RoutedMessage = (topic: string, payload: Buffer) => void;

export interface MessageRouterOptions {
  /** Bytes of payload held for routes not yet added; beyond it the oldest held messages are dropped. */
  readonly maxHeldBytes: number;
  /** Told of each held message dropped for room, so a loss is never silent. */
  readonly onDropped: (topic: string, payloadBytes: number) => void;
}

interface Held {
  readonly topic: string;
  readonly payload: Buffer;
}

/**
 * Routes every message one MQTT connection receives to the routes whose topic filter matches, and holds
 * the messages no route wants yet.
 *
 * A broker resuming a persistent session sends the messages it queued for it right after CONNACK, on
 * the subscriptions it kept, before the component has asked for any of them again. The client has
 * already acknowledged each one by then, so a message without a route would be gone for good: this is
 * what lost the events published while a component was down. Held messages go, in arrival order, to
 * the first route added that matches them.
 */
export class MessageRouter {
  readonly #options: MessageRouterOptions;
  readonly #routes = new Map<string, RoutedMessage>();
  #held: Held[] = [];
  #heldBytes = 0;

  constructor(options: MessageRouterOptions) {
    this.#options = options;
  }

  /** Messages held for want of a route. */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Adds (or replaces) the route of a topic filter, and hands it the held messages it matches. */
  add(topicFilter: string, route: RoutedMessage): void {
    this.#routes.set(topicFilter, route);
    if (this.#held.length === 0) return;
    const kept: Held[] = [];
    for (const message of this.#held) {
      if (matchesTopicFilter(topicFilter, message.topic)) {
        this.#heldBytes -= message.payload.length;
        route(message.topic, message.payload);
      } else {
        kept.push(message);
      }
    }
    this.#held = kept;
  }

  /** Removes a topic filter's route; its later messages are held like any other unrouted message. */
  remove(topicFilter: string): void {
    this.#routes.delete(topicFilter);
  }

  /** Hands a message to every matching route, or holds it when none matches. */
  route(topic: string, payload: Buffer): void {
    let routed = false;
    for (const [topicFilter, route] of this.#routes) {
      if (!matchesTopicFilter(topicFilter, topic)) continue;
      routed = true;
      route(topic, payload);
    }
    if (!routed) this.#hold({ topic, payload });
  }

  #hold(message: Held): void {
    this.#held.push(message);
    this.#heldBytes += message.payload.length;
    while (this.#heldBytes > this.#options.maxHeldBytes && this.#held.length > 0) {
      const dropped = this.#held.shift() as Held;
      this.#heldBytes -= dropped.payload.length;
      this.#options.onDropped(dropped.topic, dropped.payload.length);
    }
  }
}
