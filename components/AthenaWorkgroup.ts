import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ATHENA_RESULTS_PREFIX, athenaWorkgroupName } from "../lib/naming";

/** One saved query, from a file in `sql/athena/`. */
export interface NamedQueryFile {
    /** File name without `.sql`; the named query's name. */
    name: string;
    /** Path of the file, for the description. */
    file: string;
    sql: string;
}

export interface AthenaWorkgroupArgs {
    /** Workgroup name. Default `athenaWorkgroupName(<project>)`. */
    readonly workgroupName?: string;
    readonly bucketName: pulumi.Input<string>;
    /** Key that encrypts query results (SSE_KMS). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The Glue database the named queries run against (they qualify no table). */
    readonly databaseName: pulumi.Input<string>;
    /** Named queries. Default none. */
    readonly queries?: NamedQueryFile[];
    /** Per-query scan limit in bytes. Default 10 GiB: a dashboard query that scans more is a bug. */
    readonly bytesScannedCutoffPerQuery?: number;
}

/**
 * The lake's Athena workgroup: configuration enforced (clients cannot override the result location or
 * encryption), results under `s3://<lake>/athena-results/` encrypted with the lake key (expired by the
 * bucket's lifecycle rule), CloudWatch metrics on, and one named query per `sql/athena/` file.
 */
export class AthenaWorkgroup extends pulumi.ComponentResource {
    public readonly workgroup: aws.athena.Workgroup;
    public readonly workgroupName: pulumi.Output<string>;
    public readonly namedQueries: aws.athena.NamedQuery[];

    constructor(name: string, args: AthenaWorkgroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:AthenaWorkgroup", name, {}, opts);
        this.workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: args.workgroupName ?? athenaWorkgroupName(pulumi.getProject()),
                description: "Clickstream lake dashboards and ad-hoc queries",
                state: "ENABLED",
                forceDestroy: true, // only saved queries and history; results live in the retained bucket
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: args.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
                    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${args.bucketName}/${ATHENA_RESULTS_PREFIX}`,
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn },
                    },
                },
            },
            { parent: this },
        );
        this.workgroupName = this.workgroup.name;
        this.namedQueries = (args.queries ?? []).map(
            (q) =>
                new aws.athena.NamedQuery(
                    `${name}-query-${q.name}`,
                    { name: q.name, description: `From ${q.file}`, workgroup: this.workgroup.name, database: args.databaseName, query: q.sql },
                    { parent: this },
                ),
        );
        this.registerOutputs({ workgroupName: this.workgroupName });
    }
}
