/**
 * The worker thread of `openLiveClientsInWorker`: opens the connections,
 * counts what they receive, and keeps the items whose text it watches with
 * when each arrived (wall clock), until asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openLiveClients, type WatchedItem, type WorkerCounts } from './live-clients.js';

interface Setup {
  gatewayUrl: string;
  tokens: [string, string][];
  users: string[];
  tabs: number;
  watch: string;
}

const setup = workerData as Setup;
const port = parentPort!;
const clients = await openLiveClients(setup.gatewayUrl, new Map(setup.tokens), setup.users, setup.tabs);
const watched: WatchedItem[] = [];
clients.onItem = (text, at, date) => {
  if (text.startsWith(setup.watch)) watched.push([text, performance.timeOrigin + at, date]);
};
port.on('message', ({ id, question }: { id: number; question: 'counts' | 'watched' }) => {
  if (question === 'counts') {
    const counts: WorkerCounts = {
      received: clients.received,
      duplicates: clients.duplicates,
      closed: clients.closed,
      watched: watched.length,
    };
    port.postMessage({ id, value: counts });
  } else {
    port.postMessage({ id, value: watched });
  }
});
port.postMessage({ opened: true });
