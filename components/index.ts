/**
 * The package entry point: the components another Pulumi program builds a clickstream pipeline from,
 * their args types, and the pure helpers that make those args (its own SQL folder and config parsed and
 * checked exactly as this project's stacks do). `examples/small-pipeline` imports nothing else.
 */
export { accountScope } from "./account-scope";
export { AnalyticsOutput, type AnalyticsOutputArgs } from "./AnalyticsOutput";
export { ClickstreamAnalytics, type ClickstreamAnalyticsArgs } from "./ClickstreamAnalytics";
export { DataLake, type DataLakeArgs } from "./DataLake";
export { FlinkSqlApp, type FlinkSqlAppArgs } from "./FlinkSqlApp";
export { SourceStream, type SourceStreamArgs } from "./SourceStream";
export { type AppConfig, ConfigError, type ConfigReader, outputNamesOf, parsePipelineConfig, parseRegionConfig, type SourceStreamConfig } from "../lib/config";
export { type AccountScope } from "../lib/iam/documents";
export { firehoseName, lakeBucketName, type StackId } from "../lib/naming";
export { currentStackId, pulumiConfigReader } from "../lib/pulumi-config";
export { type LakeAnalyticsOutputs } from "../lib/region-app";
export { resolveRunnerArtifact, type RunnerArtifact } from "../lib/runner-artifact";
export { loadSqlCatalog, type OutputTable, type SqlCatalog, SqlDefinitionError } from "../lib/sql/catalog";
