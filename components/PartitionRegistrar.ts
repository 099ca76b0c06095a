import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import * as path from "path";
import { AccountScope } from "../lib/iam/documents";
import { partitionRegistrarPolicy, serviceTrustPolicy } from "../lib/iam/lake-policies";
import { partitionRegistrarName } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";

export interface PartitionRegistrarArgs {
    /** Partition, home region and account of the lake. */
    readonly scope: pulumi.Input<AccountScope>;
    readonly databaseName: pulumi.Input<string>;
    /** The output tables whose hourly partitions are registered. */
    readonly tables: pulumi.Input<string>[];
    /** Key for the function's log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Function name. Default `partitionRegistrarName` of the running stack (`<project>-<stack>-partition-registrar`). */
    readonly functionName?: string;
    /** EventBridge schedule. Default `rate(15 minutes)`. */
    readonly schedule?: string;
    /** Hours before the current one that each run re-registers (covers failed runs). Default 3. */
    readonly lookbackHours?: number;
    /** Hours after the current one registered in advance. Default 1. */
    readonly aheadHours?: number;
    /** Log retention in days. Default 30. */
    readonly logRetentionDays?: number;
}

/**
 * Registers the outputs' hourly partitions in Glue for Redshift Spectrum, on an EventBridge schedule:
 * each run registers the current hour, the next one (so a new hour is visible before its first object
 * lands) and a few past hours (so a failed run heals itself). No crawler, no S3 notification (which is a
 * single whole-bucket setting and would overwrite an adopted bucket's own).
 */
export class PartitionRegistrar extends pulumi.ComponentResource {
    public readonly function: aws.lambda.Function;
    public readonly functionName: pulumi.Output<string>;
    public readonly rule: aws.cloudwatch.EventRule;

    constructor(name: string, args: PartitionRegistrarArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:PartitionRegistrar", name, {}, opts);
        const functionName = args.functionName ?? partitionRegistrarName(currentStackId());
        const logGroupName = `/aws/lambda/${functionName}`;

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: logGroupName, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Clickstream partition registrar: adds hourly Glue partitions",
                assumeRolePolicy: pulumi.jsonStringify(serviceTrustPolicy("lambda.amazonaws.com")),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([args.scope, args.databaseName, pulumi.all(args.tables)])
                        .apply(([scope, database, tables]) => partitionRegistrarPolicy({ ...scope, database, tables, logGroupName })),
                ),
            },
            { parent: this },
        );

        this.function = new aws.lambda.Function(
            `${name}-function`,
            {
                name: functionName,
                description: "Registers the clickstream outputs' hourly partitions in Glue for Redshift Spectrum",
                runtime: aws.lambda.Runtime.NodeJS22dX,
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundlePartitionRegistrar()) }),
                role: role.arn,
                timeout: 120,
                memorySize: 256,
                environment: {
                    variables: {
                        GLUE_DATABASE: args.databaseName,
                        GLUE_TABLES: pulumi.all(args.tables).apply((t) => t.join(",")),
                        LOOKBACK_HOURS: String(args.lookbackHours ?? 3),
                        AHEAD_HOURS: String(args.aheadHours ?? 1),
                    },
                },
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            },
            { parent: this, dependsOn: [policy, logGroup] },
        );
        // A failed scheduled run is retried twice; the next run's look-back covers anything still missing.
        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-invoke-config`,
            { functionName: this.function.name, maximumRetryAttempts: 2, maximumEventAgeInSeconds: 900 },
            { parent: this },
        );

        this.rule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { name: functionName, description: "Registers clickstream partitions for Spectrum", scheduleExpression: args.schedule ?? "rate(15 minutes)" },
            { parent: this },
        );
        const permission = new aws.lambda.Permission(
            `${name}-invoke-permission`,
            { action: "lambda:InvokeFunction", function: this.function.name, principal: "events.amazonaws.com", sourceArn: this.rule.arn },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-target`, { rule: this.rule.name, arn: this.function.arn }, { parent: this, dependsOn: [permission] });

        this.functionName = this.function.name;
        this.registerOutputs({ functionName: this.functionName });
    }
}

const ENTRY = path.resolve(__dirname, "..", "functions", "partition-registrar", "index.ts");
let bundled: string | undefined;

/**
 * Bundles the registrar (TypeScript + the AWS SDK Glue client) into one CommonJS file with esbuild, at
 * program time: no build output is committed, and the SDK version is the one in package-lock.json, not
 * whatever the Lambda runtime happens to ship. The output is deterministic, so an unchanged function
 * does not redeploy.
 */
export function bundlePartitionRegistrar(): string {
    if (bundled === undefined) {
        const result = buildSync({
            entryPoints: [ENTRY],
            bundle: true,
            platform: "node",
            target: "node22",
            format: "cjs",
            minify: true,
            legalComments: "none",
            write: false,
            logLevel: "silent",
        });
        bundled = result.outputFiles[0].text;
    }
    return bundled;
}
