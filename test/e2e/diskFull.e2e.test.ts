import { closeSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startNexus } from './support/NexusProcess';
import type { NexusProcess } from './support/NexusProcess';
import { getJson, postCommand } from './support/http';
import type { JsonResponse } from './support/http';
import { scratchDirectory } from '../support/scratchMounts';
import type { ScratchDirectory } from '../support/scratchMounts';

jest.setTimeout(120_000);

/** Room left on the tmpfs once the filler is written: a few commits' worth of WAL pages. */
const ROOM_LEFT_BYTES = 96 * 1024;
/** Commands sent at most while waiting for the disk to fill. */
const MAX_COMMANDS = 3_000;

let scratch: ScratchDirectory;
let nexus: NexusProcess | undefined;

beforeEach(() => {
  // A real full disk: a small tmpfs (mounting needs root, as CI runs; see test/support/scratchMounts.ts).
  scratch = scratchDirectory('nexus-disk-full-', 16_384);
});

afterEach(async () => {
  await nexus?.stop();
  nexus = undefined;
  scratch.dispose();
});

/**
 * Fills the file system but `roomLeft` bytes with one file, returned for removal: written until
 * ENOSPC, then cut by `roomLeft`. Not sized from statfs first: the server writes meanwhile (the
 * order's fulfilment saga, pipeline checkpoints), so a size read before could no longer fit.
 */
function fill(dir: string, roomLeft: number): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  truncateSync(filler, Math.max(0, written - roomLeft));
  return filler;
}

describe('a full disk', () => {
  it('answers 503 EVENT_STORE_UNAVAILABLE with Retry-After, loses nothing acknowledged, and recovers without a restart', async () => {
    // given a running server on a tmpfs with one order, and a disk then filled to the brim
    expect(scratch.mounted).toBe(true);
    nexus = await startNexus({ dataDir: scratch.path });
    const placed = await postCommand(nexus.baseUrl, 'PlaceOrder', { customerId: 'c-full', items: [{ sku: 'A', quantity: 1, unitPrice: 1 }], currency: 'EUR' });
    expect(placed.status).toBe(202);
    const orderId = placed.body.aggregateId as string;
    const filler = fill(scratch.path, ROOM_LEFT_BYTES);

    // when adding items until the store refuses
    let acknowledgedVersion = placed.body.version as number;
    let refused: JsonResponse | undefined;
    for (let i = 0; i < MAX_COMMANDS && refused === undefined; i += 1) {
      const added = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: `S${i}`, quantity: 1, unitPrice: 1, expectedVersion: acknowledgedVersion });
      if (added.status === 202) acknowledgedVersion = added.body.version as number;
      else refused = added;
    }

    // then the refusal is a retryable 503 naming the event store
    expect(refused).toBeDefined();
    expect(refused?.status).toBe(503);
    expect(refused?.body.code).toBe('EVENT_STORE_UNAVAILABLE');
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused?.headers.get('content-type')).toContain('application/problem+json');

    // and once space is freed, the same server takes commands again, after every acknowledged one
    rmSync(filler);
    const resumed = await postCommand(nexus.baseUrl, 'AddItem', { orderId, sku: 'after', quantity: 1, unitPrice: 1, expectedVersion: acknowledgedVersion });
    expect(resumed.status).toBe(202);
    expect(resumed.body.version).toBe(acknowledgedVersion + 1);
    const history = await getJson(nexus.baseUrl, `/api/queries/temporal/orders/${orderId}?asOf=${encodeURIComponent(new Date(Date.now() + 1_000).toISOString())}`);
    expect(history.status).toBe(200);
    expect(history.body.version).toBe(acknowledgedVersion + 1);
  });
});
