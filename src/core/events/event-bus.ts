// In-process fan-out of daemon events to subscribers (the panel's feed over events.subscribe).

export interface AgentEvent {
  type: string;
  /** The account the event belongs to; null for host-wide events, which tenants never see. */
  account: string | null;
  payload: Record<string, unknown>;
}

export interface Subscription {
  id: string;
  /** Only this account's events; null means every event (admin). */
  account: string | null;
  types: ReadonlySet<string> | null;
  deliver(event: AgentEvent): void;
}

export class EventBus {
  readonly #subs = new Map<string, Subscription>();

  subscribe(sub: Subscription): () => void {
    this.#subs.set(sub.id, sub);
    return () => this.#subs.delete(sub.id);
  }

  unsubscribe(id: string): boolean {
    return this.#subs.delete(id);
  }

  get size(): number {
    return this.#subs.size;
  }

  publish(event: AgentEvent): void {
    for (const s of this.#subs.values()) {
      if (s.account !== null && s.account !== event.account) continue;
      if (s.types && !s.types.has(event.type)) continue;
      s.deliver(event);
    }
  }
}
