import type { ArpOptions } from '../../src/arp/service';

/** Just the part of Dataplane that arp/ uses, recording what it is asked to do. */
export class FakeDataplane implements Pick<ArpOptions['dataplane'], keyof ArpOptions['dataplane']> {
  readonly sent: Buffer[] = [];
  readonly neighbours: Array<[string, string | null]> = [];
  private handler: ((frames: Buffer[]) => void) | null = null;

  constructor(readonly mac: string) {}

  sendFrame(frame: Buffer): void {
    this.sent.push(Buffer.from(frame));
  }

  setNeighbour(address: string, mac: string | null): void {
    this.neighbours.push([address, mac]);
  }

  onControlFrames(handler: (frames: Buffer[]) => void): void {
    this.handler = handler;
  }

  /** Hand frames up as the fast path would. */
  receive(...frames: Buffer[]): void {
    if (!this.handler) throw new Error('nothing subscribed to control frames');
    this.handler(frames);
  }

  /** Frames sent since the last call. */
  take(): Buffer[] {
    return this.sent.splice(0);
  }
}
