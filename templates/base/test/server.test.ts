import { describeServer } from "./contract.js";

describeServer();
