export default async function integrationTeardown(): Promise<void> {
  await globalThis.nexusMotoServer?.stop();
  globalThis.nexusMotoServer = undefined;
}
