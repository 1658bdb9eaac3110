export default async function integrationTeardown(): Promise<void> {
  await globalThis.nexusMotoServer?.stop();
  globalThis.nexusMotoServer = undefined;
  await globalThis.nexusOpenSearchNode?.stop();
  globalThis.nexusOpenSearchNode = undefined;
}
