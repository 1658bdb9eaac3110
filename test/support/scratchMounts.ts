import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real file-system faults for tests: small tmpfs mounts (disk full), read-only remounts and
 * read-only bind views (a data directory that cannot be written, even by root, who ignores
 * permission bits). Mounting needs root (CI runs as root); {@link canMount} says whether it works.
 */

let mountable: boolean | undefined;

/** True when this process may mount a tmpfs (root, or CAP_SYS_ADMIN). */
export function canMount(): boolean {
  if (mountable === undefined) {
    const probe = mkdtempSync(join(tmpdir(), 'nexus-mount-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      mountable = true;
    } catch {
      mountable = false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  }
  return mountable;
}

/** A scratch directory, optionally a tmpfs of `sizeKiB`; `dispose` unmounts (if mounted) and removes it. */
export interface ScratchDirectory {
  path: string;
  mounted: boolean;
  /** Makes the directory read-only: a read-only remount of the tmpfs, or mode 0555 without mounts. */
  makeReadOnly(): void;
  dispose(): void;
}

/** A fresh directory; a tmpfs of `sizeKiB` when mounting works. */
export function scratchDirectory(prefix: string, sizeKiB = 16_384): ScratchDirectory {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const mounted = canMount();
  if (mounted) execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', path]);
  return {
    path,
    mounted,
    makeReadOnly: () => {
      if (mounted) execFileSync('mount', ['-o', 'remount,ro', path]);
      else chmodSync(path, 0o555);
    },
    dispose: () => {
      if (mounted) execFileSync('umount', ['-l', path]);
      else chmodSync(path, 0o755);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A read-only view of `source` (a bind mount remounted read-only), while `source` itself stays
 * writable: files open for writing elsewhere do not stop it, as they stop a read-only remount.
 * Needs {@link canMount}.
 */
export function readOnlyView(source: string): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), 'nexus-ro-view-'));
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['--bind', source, path]);
  execFileSync('mount', ['-o', 'remount,bind,ro', path]);
  return {
    path,
    dispose: () => {
      execFileSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
