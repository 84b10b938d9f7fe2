import { describe, expect, it } from 'vitest';
import { MessageRouter } from '../src/transport/message-router.js';

const routerCollecting = (maxHeldBytes = 1024) => {
  const dropped: [string, number][] = [];
  const router = new MessageRouter({ maxHeldBytes, onDropped: (topic, bytes) => dropped.push([topic, bytes]) });
  return { router, dropped };
};

const collect = () => {
  const got: string[] = [];
  return { got, route: (topic: string, payload: Buffer) => got.push(`${topic}=${payload.toString()}`) };
};

describe('MessageRouter', () => {
  it('GIVEN routes with wildcards WHEN messages arrive THEN each goes to every matching route and nothing is held', () => {
    const { router } = routerCollecting();
    const slots = collect();
    const everything = collect();
    router.add('smib/+/events', slots.route);
    router.add('smib/#', everything.route);

    router.route('smib/m-1/events', Buffer.from('a'));
    router.route('smib/m-1/display', Buffer.from('b'));

    expect(slots.got).toEqual(['smib/m-1/events=a']);
    expect(everything.got).toEqual(['smib/m-1/events=a', 'smib/m-1/display=b']);
    expect(router.heldCount).toBe(0);
  });

  it('GIVEN messages arriving before any route (a resumed session backlog) WHEN a matching route is added THEN it gets them in arrival order and the others stay held', () => {
    const { router, dropped } = routerCollecting();
    router.route('croupier/local/slot/a', Buffer.from('1'));
    router.route('croupier/local/nucleus/x/update', Buffer.from('n'));
    router.route('croupier/local/slot/b', Buffer.from('2'));
    expect(router.heldCount).toBe(3);

    const slots = collect();
    router.add('croupier/local/slot/+', slots.route);

    expect(slots.got).toEqual(['croupier/local/slot/a=1', 'croupier/local/slot/b=2']);
    expect(router.heldCount).toBe(1);
    const nucleus = collect();
    router.add('croupier/local/nucleus/x/update', nucleus.route);
    expect(nucleus.got).toEqual(['croupier/local/nucleus/x/update=n']);
    expect(router.heldCount).toBe(0);
    expect(dropped).toEqual([]);
  });

  it('GIVEN more unrouted bytes than the bound WHEN messages keep arriving THEN the oldest are dropped and reported, never silently', () => {
    const { router, dropped } = routerCollecting(10);
    for (const n of [1, 2, 3]) router.route(`t/${n}`, Buffer.alloc(4, n));

    expect(dropped).toEqual([['t/1', 4]]);
    const all = collect();
    router.add('t/#', all.route);
    expect(all.got.map((line) => line.split('=')[0])).toEqual(['t/2', 't/3']);
  });

  it('GIVEN a removed route WHEN its topic arrives THEN it is held for the next route rather than delivered to the old one', () => {
    const { router } = routerCollecting();
    const first = collect();
    router.add('a/b', first.route);
    router.remove('a/b');
    router.route('a/b', Buffer.from('x'));
    expect(first.got).toEqual([]);
    const second = collect();
    router.add('a/b', second.route);
    expect(second.got).toEqual(['a/b=x']);
  });
});
