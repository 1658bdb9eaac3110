/** `process.memoryUsage()` in MB (one decimal). RSS is the process's; the heap figures are the calling thread's. */
export interface MemoryUsageMb {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export function memoryUsageMb(): MemoryUsageMb {
  const usage = process.memoryUsage();
  const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
  return { rss: mb(usage.rss), heapUsed: mb(usage.heapUsed), heapTotal: mb(usage.heapTotal), external: mb(usage.external), arrayBuffers: mb(usage.arrayBuffers) };
}
