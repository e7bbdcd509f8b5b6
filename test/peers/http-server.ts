// In-process HTTP peers must be able to go down hard: close the listener and cut every open
// connection, the way a crashed server looks to a client. They can also cut off chosen upload
// requests as they arrive, a network blip that clients must retry.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionControl {
  /** Destroys every open connection. */
  cut(): void;
  /** Cuts off the next `count` upload requests as they arrive; returns how many are still armed. */
  cutUploads(count: number): void;
  armedCuts(): number;
}

export function trackConnections(server: Server, isUpload: (req: IncomingMessage) => boolean = () => false): ConnectionControl {
  const sockets = new Set<Socket>();
  let armed = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.prependListener('request', (req: IncomingMessage) => {
    if (armed > 0 && isUpload(req)) {
      armed--;
      req.socket.destroy();
    }
  });
  return {
    cut: () => { for (const s of sockets) s.destroy(); sockets.clear(); },
    cutUploads: (count) => { armed = count; },
    armedCuts: () => armed,
  };
}

export function closeHard(server: Server, tracker: { cut(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    tracker.cut();
    server.closeAllConnections?.();
  });
}
