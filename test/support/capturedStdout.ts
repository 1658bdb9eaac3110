/**
 * What Powertools writes to stdout during a test (its logs and EMF metrics are JSON lines there):
 * captured from each test's start, restored after it.
 */

/** The JSON lines written so far; EMF lines carry `_aws`. */
export interface CapturedStdout {
  jsonLines(): Record<string, unknown>[];
  emfLines(): Record<string, unknown>[];
  logLines(): Record<string, unknown>[];
}

/** Captures stdout in every test of the enclosing `describe`. */
export function captureStdoutPerTest(): CapturedStdout {
  let output: string[] = [];
  beforeEach(() => {
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(chunk.toString());
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());
  const jsonLines = (): Record<string, unknown>[] =>
    output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    jsonLines,
    emfLines: () => jsonLines().filter((line) => '_aws' in line),
    logLines: () => jsonLines().filter((line) => !('_aws' in line)),
  };
}
