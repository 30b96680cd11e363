// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string };

/** Version of @nasx/kernel; plugins declare a semver range of it in `nasx.engines.kernel`. */
export const KERNEL_VERSION: string = pkg.version;
