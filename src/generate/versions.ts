// Versions written into generated projects: every one supports Node 20 and installs without
// install scripts (npm 11 does not run them unless approved).
export const VERSIONS = {
  zod: "^4.1.12",
  typescript: "^7.0.2",
  tsx: "^4.20.6",
  vitest: "^4.0.8",
  "@types/node": "^20.19.0",
} as const;
