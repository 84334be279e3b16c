// The CLI's own version, from its package.json (bundled in at build time): projects pin it.
import pkg from "../package.json" with { type: "json" };

export const CLI_VERSION: string = pkg.version;
