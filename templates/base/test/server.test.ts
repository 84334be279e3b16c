import { describeServer } from "./contract.ts";

describeServer();
