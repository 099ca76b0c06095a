import * as path from "path";
import { currentStackId, pulumiConfigReader } from "../../components";
import { smallPipeline } from "./pipeline";

export const { bucket, firehoses, applications } = smallPipeline({
    config: pulumiConfigReader(),
    sqlDir: path.join(__dirname, "sql"),
    runnerJar: path.resolve(__dirname, "..", "..", "runner", "target", "clickstream-runner.jar"),
    stackId: currentStackId(),
});
