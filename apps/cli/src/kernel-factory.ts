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
