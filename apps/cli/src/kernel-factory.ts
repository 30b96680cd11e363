import * as path from 'node:path';
import { Kernel, findProjectRoot } from '@nasx/kernel';

/**
 * The kernel of a CLI invocation: plugins of the project around the working directory, plus the
 * plugins the CLI package itself depends on (the first-party ones), found from manifests alone.
 */
export function openKernel(cwd: string): Kernel {
  const cliRoot = path.resolve(__dirname, '..');
  const projectRoot = findProjectRoot(cwd);
  const roots = projectRoot === cliRoot ? [cliRoot] : [projectRoot, cliRoot];
  return Kernel.open({ roots });
}

/** `--set` overrides plus `--data-dir` (resolved against the working directory, unlike a config's own dataDir). */
export function configOverrides(io: { cwd: string }, opts: { set?: readonly string[]; dataDir?: string }): string[] {
  const overrides = [...(opts.set ?? [])];
  if (opts.dataDir) overrides.push(`dataDir=${JSON.stringify(path.resolve(io.cwd, opts.dataDir))}`);
  return overrides;
}
