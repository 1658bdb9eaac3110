/**
 * The packaged service the deploy tests read: the repository's own `.serverless` (the packaging
 * `npm run policy` judged, redone only when the code changed), or, for a copy of the repository,
 * ~/.cache/nexus/packages/<hash of the inputs>; the zip test, the template test and the bundle
 * tests share one packaging and a second run reuses it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PACKAGE_STAGE, ensurePackaged, inputsHash, REPOSITORY_ROOT, TEMPLATE_FILE } from '../../scripts/deploy/packagedService';

export { REPOSITORY_ROOT };

/** Where a packaging lies. */
export interface PackagedService {
  directory: string;
  /** The packaged CloudFormation template. */
  template: CloudFormationTemplate;
  /** Zip file path per function key. */
  zips: Record<string, string>;
}

/** One resource of a template. */
export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

/** The parts of a CloudFormation template the tests read. */
export interface CloudFormationTemplate {
  Resources: Record<string, CloudFormationResource>;
  Outputs?: Record<string, unknown>;
}

/** Packages `root` (once per content) and returns where the output is. */
export async function packagedService(root = REPOSITORY_ROOT, stage = DEFAULT_PACKAGE_STAGE): Promise<PackagedService> {
  const ownPackaging = root === REPOSITORY_ROOT && stage === DEFAULT_PACKAGE_STAGE;
  const { directory } = ensurePackaged(root, ownPackaging ? { stage } : { stage, directory: join(homedir(), '.cache', 'nexus', 'packages', inputsHash(root, stage)) });
  const template = JSON.parse(readFileSync(join(directory, TEMPLATE_FILE), 'utf8')) as CloudFormationTemplate;
  const zips = Object.fromEntries(
    readdirSync(directory)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => [name.slice(0, -'.zip'.length), join(directory, name)]),
  );
  return { directory, template, zips };
}
