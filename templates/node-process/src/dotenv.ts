// Local settings: `.env` (see .env.example) is read when the server starts. A variable the
// environment already has wins, so a host's real settings and `PORT=4000 npm start` still apply.
import path from "node:path";

export function loadDotEnv(file = path.resolve(".env")): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
