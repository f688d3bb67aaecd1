// A fake WebSocket class for driving `useFeed` from tests: records instances, lets a test
// open, message and close them.

import type { SocketLike } from "../useFeed";
import type { Frame } from "../types";

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static get last(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (s === undefined) throw new Error("no socket created");
    return s;
  }

  open(): void {
    this.onopen?.({});
  }

  send(...frames: Frame[]): void {
    for (const f of frames) this.onmessage?.({ data: JSON.stringify(f) });
  }

  raw(data: unknown): void {
    this.onmessage?.({ data });
  }

  /** The server (or the network) closes the socket. */
  drop(): void {
    this.onerror?.({});
    this.onclose?.({});
  }

  close(): void {
    this.closed = true;
  }
}
