import type { Bus } from '@herald/bus';
import { EVERY_USER, topics, type LiveEvent } from '@herald/contracts';
import type { Subscription } from '@nats-io/transport-node';
import { framesOf } from './frames.js';
import type { LiveConnection } from './live-connection.js';

/** The open-connections gauge, as prom-client's Gauge has it. */
export interface OpenGauge {
  inc(): void;
  dec(): void;
}

interface Feed {
  subscription: Subscription;
  /** Settles once the server has the subscription: nothing published after it is missed. */
  ready: Promise<void>;
}

interface UserFeed extends Feed {
  account: string;
  connections: Set<LiveConnection>;
}

interface AccountFeed extends Feed {
  users: Set<UserFeed>;
}

/**
 * The live connections of one gateway replica. Each connected user has one
 * NATS subscription (live.<account>.<user>) and each account with a connected
 * user one more (live.<account>._all), shared by every tab and device and
 * dropped with the last of them: the cost in NATS grows with users, not
 * connections. Each event is encoded once and written to every connection.
 */
export class LiveHub {
  private readonly users = new Map<string, UserFeed>();
  private readonly accounts = new Map<string, AccountFeed>();
  /** Each connection with its heartbeat turn. */
  private readonly connections = new Map<LiveConnection, number>();
  /**
   * The connections by heartbeat turn: each turn's are pinged together, one
   * turn a tick, so each connection hears one heartbeat an interval while a
   * tick writes to a slice of them, never to all at once (10,000 pings in one
   * go would hold up the live events behind them).
   */
  private readonly turns: Set<LiveConnection>[] = Array.from({ length: heartbeatTurns }, () => new Set());
  private nextTurn = 0;
  private tick = 0;
  private readonly heartbeats: NodeJS.Timeout;

  constructor(
    private readonly bus: Bus,
    private readonly maxConnectionsPerUser: number,
    heartbeatMs: number,
    private readonly open?: OpenGauge,
  ) {
    this.heartbeats = setInterval(
      () => {
        for (const connection of this.turns[this.tick]!) connection.heartbeat();
        this.tick = (this.tick + 1) % heartbeatTurns;
      },
      Math.max(1, Math.round(heartbeatMs / heartbeatTurns)),
    );
    this.heartbeats.unref();
  }

  /** How many more connections the user may open here. */
  room(account: string, user: string): number {
    return this.maxConnectionsPerUser - (this.users.get(key(account, user))?.connections.size ?? 0);
  }

  /**
   * Adds a connection to its user's feed, subscribing on the first one;
   * resolves once events published from now on reach it. False when the user
   * has no room left.
   */
  attach(connection: LiveConnection): Promise<void> | false {
    if (this.room(connection.account, connection.user) <= 0) return false;
    const feed = this.userFeed(connection.account, connection.user);
    feed.connections.add(connection);
    const turn = this.nextTurn;
    this.nextTurn = (turn + 1) % heartbeatTurns;
    this.connections.set(connection, turn);
    this.turns[turn]!.add(connection);
    this.open?.inc();
    const account = this.accounts.get(connection.account);
    return Promise.all([feed.ready, account?.ready]).then(() => undefined);
  }

  detach(connection: LiveConnection): void {
    const turn = this.connections.get(connection);
    if (turn === undefined) return;
    this.connections.delete(connection);
    this.turns[turn]!.delete(connection);
    this.open?.dec();
    const k = key(connection.account, connection.user);
    const feed = this.users.get(k);
    if (!feed) return;
    feed.connections.delete(connection);
    if (feed.connections.size > 0) return;
    feed.subscription.unsubscribe();
    this.users.delete(k);
    const account = this.accounts.get(connection.account);
    account?.users.delete(feed);
    if (account && account.users.size === 0) {
      account.subscription.unsubscribe();
      this.accounts.delete(connection.account);
    }
  }

  /** Ends every connection and stops the heartbeats. */
  close(): void {
    clearInterval(this.heartbeats);
    for (const connection of [...this.connections.keys()]) connection.end('shutdown');
  }

  private userFeed(account: string, user: string): UserFeed {
    const k = key(account, user);
    const existing = this.users.get(k);
    if (existing) return existing;
    const connections = new Set<LiveConnection>();
    const subscription = this.bus.subscribe(topics.live, [account, user], (event) => deliver(event, [connections]));
    const feed: UserFeed = { account, connections, subscription, ready: this.flushed() };
    this.users.set(k, feed);
    this.accountFeed(account).users.add(feed);
    return feed;
  }

  private accountFeed(account: string): AccountFeed {
    const existing = this.accounts.get(account);
    if (existing) return existing;
    const users = new Set<UserFeed>();
    const subscription = this.bus.subscribe(topics.live, [account, EVERY_USER], (event) =>
      deliver(
        event,
        [...users].map((feed) => feed.connections),
      ),
    );
    const feed: AccountFeed = { users, subscription, ready: this.flushed() };
    this.accounts.set(account, feed);
    return feed;
  }

  /** A round trip to the server, which has then processed every subscription sent before. */
  private flushed(): Promise<void> {
    return this.bus.nc.flush();
  }
}

/** How many slices a heartbeat interval is cut into. */
const heartbeatTurns = 50;

function key(account: string, user: string): string {
  return `${account}.${user}`;
}

/** Encodes the event once and writes it to every connection of every feed given. */
function deliver(event: LiveEvent, feeds: readonly ReadonlySet<LiveConnection>[]): void {
  const frames = framesOf(event);
  for (const connections of feeds) {
    for (const connection of connections) {
      for (const frame of frames) connection.deliver(frame);
    }
  }
}
