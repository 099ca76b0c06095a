/**
 * Pure logic of a region stack's Flink SQL apps: names, and the runtime properties of one app built from
 * the SQL catalog, its source and the lake's outputs. Components call these with resolved values.
 */
import { AppConfig, RegionConfig, selectedOutputs, SourceRead } from "./config";
import { firehoseObjectsSourceOptions, firehoseSinkOptions, kinesisSourceOptions, localEndpointOverrides } from "./connector-options";
import { appStatements, buildRuntimeProperties, PropertyGroup, RuntimePropertiesError } from "./runtime-properties";
import { FIREHOSE_NAME_MAX } from "./naming";
import { lakeOutputs, OutputTable, SqlCatalog, SqlStatement } from "./sql/catalog";
import { KA_SOURCE_TABLE } from "./ka/app";

/** One entry of the lake stack's `analyticsOutputs` output (see docs/CONTRACTS.md and stacks/lake.ts). */
export interface LakeAnalyticsOutput {
    firehoseName: string;
    firehoseArn: string;
    /** The lake's (home) region, where the Firehose runs. */
    region: string;
    glueTable: string;
    s3Prefix: string;
}

export type LakeAnalyticsOutputs = Record<string, LakeAnalyticsOutput>;

/** How an app reads its source, resolved: the stream (or delivery stream) and how it is read. */
export type ResolvedSource = { streamName: string } & (
    | { readMode: "POLLING"; /** Between GetRecords calls per shard (`SourceRead`). */ pollIntervalMs?: number }
    | { readMode: "EFO"; consumerArn: string }
    | Extract<SourceRead, { readMode: "OBJECTS" }>
);

/** The output tables an app fills: `sql/outputs/` ones, then a KA app's (docs/KA-MIGRATION.md), in catalog order. */
export function appOutputTables(app: AppConfig, catalog: SqlCatalog): OutputTable[] {
    return selectedOutputs(app, lakeOutputs(catalog));
}

/**
 * The statements an app runs and the source tables among them: the shared SQL of `sql/` for its
 * outputs, or, for a KA app, its translated application.
 */
export function appSqlStatements(app: AppConfig, catalog: SqlCatalog): { statements: SqlStatement[]; sources: string[] } {
    if (app.ka === undefined) return { statements: appStatements(catalog, selectedOutputs(app, catalog.outputs)), sources: catalog.sources.map((s) => s.name) };
    const ka = catalog.kaApps.find((a) => a.name === app.ka);
    if (!ka) throw new RuntimePropertiesError(`app '${app.name}': no KA application sql/ka/${app.ka}/`);
    return { statements: ka.statements, sources: [KA_SOURCE_TABLE] };
}

/** The lake outputs an app writes to, in catalog order; fails naming the missing ones. */
export function appLakeOutputs(app: AppConfig, catalog: SqlCatalog, lake: LakeAnalyticsOutputs, lakeStack: string): LakeAnalyticsOutput[] {
    const outputs = appOutputTables(app, catalog);
    const missing = outputs.filter((o) => !lake[o.name]).map((o) => o.name);
    if (missing.length > 0) {
        throw new RuntimePropertiesError(
            `app '${app.name}': the lake stack ${lakeStack} has no analytics output ${missing.map((m) => `'${m}'`).join(", ")}; ` +
                `run \`pulumi up -s ${lakeStack.split("/").pop()}\` first so that its Firehose exists`,
        );
    }
    return outputs.map((o) => lake[o.name]);
}

export interface AppRuntimePropertiesArgs {
    app: AppConfig;
    catalog: SqlCatalog;
    /** The source region (`aws:region`), stamped on every row by `SOURCE_REGION()`. */
    sourceRegion: string;
    source: ResolvedSource;
    lake: LakeAnalyticsOutputs;
    /** For messages only. */
    lakeStack: string;
    /**
     * Local runs only: loopback endpoints of the Kinesis emulator and the Firehose stand-in (see
     * `localEndpointOverrides`), and `runner` group options. Nothing else differs from the deployment.
     */
    local?: {
        kinesisEndpoint: string;
        firehoseEndpoint: string;
        runnerOptions: Record<string, string>;
        /** Added to a Kinesis source's options. */
        sourceOptions?: Record<string, string>;
        /** Replace a Firehose-fed source's options: the local folder (`path: file:///...`) instead of `s3://bucket/prefix`, a shorter discovery interval. */
        objectsOptions?: Record<string, string>;
    };
}

/**
 * The runtime properties (`environmentProperties.propertyGroups`) of one app: the statements of its
 * outputs, the source table's Kinesis options, and each output's Firehose options (lake region).
 */
export function appRuntimeProperties(args: AppRuntimePropertiesArgs): PropertyGroup[] {
    const { app, catalog, local } = args;
    const outputs = appOutputTables(app, catalog);
    const firehoses = appLakeOutputs(app, catalog, args.lake, args.lakeStack);
    const sinkOverrides = local ? localEndpointOverrides(local.firehoseEndpoint) : {};
    const tableOptions: Record<string, Record<string, string>> = {};
    const { statements, sources } = appSqlStatements(app, catalog);
    for (const source of sources) tableOptions[source] = sourceOptions(args);
    outputs.forEach((o, i) => {
        tableOptions[o.name] = {
            ...firehoseSinkOptions({ deliveryStreamName: firehoses[i].firehoseName, region: firehoses[i].region }),
            ...sinkOverrides,
        };
    });
    return buildRuntimeProperties({
        appName: app.name,
        sourceRegion: args.sourceRegion,
        statements,
        tableOptions,
        runnerOptions: local?.runnerOptions,
    });
}

/** The source table's connector options: Kinesis (polling or EFO), or a Firehose's S3 objects. */
function sourceOptions({ app, source, sourceRegion, local }: AppRuntimePropertiesArgs): Record<string, string> {
    const start = { startPosition: app.startPosition, startTimestamp: app.startTimestamp };
    if (source.readMode === "OBJECTS") {
        const options = firehoseObjectsSourceOptions({ ...source, ...start });
        return { ...options, ...(local?.objectsOptions ?? {}) };
    }
    return {
        ...kinesisSourceOptions({
            streamName: source.streamName,
            region: sourceRegion,
            readMode: source.readMode,
            consumerArn: source.readMode === "EFO" ? source.consumerArn : undefined,
            pollIntervalMs: source.readMode === "POLLING" ? source.pollIntervalMs : undefined,
            ...start,
        }),
        ...(local ? { ...localEndpointOverrides(local.kinesisEndpoint), ...(local.sourceOptions ?? {}) } : {}),
    };
}

/**
 * Builds every app's properties with placeholder ARNs and Firehose names before any resource exists,
 * so that an app which cannot fit Managed Flink's limits fails the run up front with one line.
 */
export function preflightRuntimeProperties(region: RegionConfig, catalog: SqlCatalog): void {
    const sourceRegion = region.region;
    const placeholderLake: LakeAnalyticsOutputs = {};
    for (const o of lakeOutputs(catalog)) {
        // The longest name a Firehose can have: the real one (`firehoseName`) is never longer.
        const firehoseName = "f".repeat(FIREHOSE_NAME_MAX);
        placeholderLake[o.name] = {
            firehoseName,
            firehoseArn: `arn:aws:firehose:eu-central-1:000000000000:deliverystream/${firehoseName}`,
            region: "eu-central-1",
            glueTable: o.name,
            s3Prefix: `${o.name}/`,
        };
    }
    for (const app of region.apps) {
        const { read } = app;
        const streamName = "s".repeat(128);
        appRuntimeProperties({
            app,
            catalog,
            sourceRegion,
            source:
                read.readMode === "EFO"
                    ? {
                          streamName,
                          readMode: "EFO",
                          consumerArn: `arn:aws:kinesis:${sourceRegion}:000000000000:stream/${streamName}/consumer/${"c".repeat(64)}:1700000000`,
                      }
                    : { streamName, ...read },
            lake: placeholderLake,
            lakeStack: "preflight",
        });
    }
}
