import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { RedshiftTarget } from "../lib/config";
import { LakeScope, serviceTrustPolicy, spectrumPolicy, spectrumTrustServices } from "../lib/iam/lake-policies";

/** A Redshift enrichment view from `sql/redshift/`, before placeholder substitution. */
export interface RedshiftViewFile {
    name: string;
    file: string;
    sql: string;
}

/** `CREATE EXTERNAL SCHEMA` over the Glue database, with the Spectrum role. */
export function externalSchemaSql(schema: string, glueDatabase: string, roleArn: string, region: string): string {
    return (
        `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${schema} FROM DATA CATALOG DATABASE '${glueDatabase}' ` +
        `IAM_ROLE '${roleArn}' REGION '${region}'`
    );
}

/**
 * Substitutes the placeholders of a `sql/redshift/` file. The one placeholder is `${schema}`: the
 * external schema (config `clickstream:spectrumSchema`). Any other `${...}` is a mistake in the file.
 */
export function renderRedshiftSql(file: string, sql: string, vars: { schema: string }): string {
    const rendered = sql.replace(/\$\{schema\}/g, vars.schema);
    const unknown = /\$\{[^}]*\}/.exec(rendered);
    if (unknown) throw new Error(`${file}: unknown placeholder ${unknown[0]}; the only placeholder is \${schema} (the Spectrum external schema)`);
    return rendered;
}

const ROLE_ARN = /arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+/g;

/**
 * The one command that associates the Spectrum role with an existing target without touching the
 * roles already there:
 * - a provisioned cluster: `modify-cluster-iam-roles --add-iam-roles` adds exactly one role;
 * - a serverless namespace: `update-namespace --iam-roles` takes the complete list, so the command
 *   lists every role the namespace has now (read at deployment) plus the Spectrum role.
 */
export function associationCommand(
    target: { mode: "cluster"; clusterIdentifier: string } | { mode: "serverless"; namespaceName: string; existingRoles: string[] },
    roleArn: string,
    region: string,
): string {
    if (target.mode === "cluster") {
        return `aws redshift modify-cluster-iam-roles --region ${region} --cluster-identifier ${target.clusterIdentifier} --add-iam-roles ${roleArn}`;
    }
    // The namespace API reports roles as ARNs or as "IamRole(applyStatus=..., iamRoleArn=arn:...)" strings.
    const existing = target.existingRoles.flatMap((r) => r.match(ROLE_ARN) ?? []);
    const roles = [...new Set([...existing, roleArn])];
    return `aws redshift-serverless update-namespace --region ${region} --namespace-name ${target.namespaceName} --iam-roles ${roles.join(" ")}`;
}

export interface SpectrumSchemaArgs {
    /** Where the schema lives (config `clickstream:redshift`). */
    target: RedshiftTarget;
    /** Partition, home region and account of the lake. */
    scope: pulumi.Input<LakeScope>;
    glueDatabase: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    /** The output tables (= S3 prefixes) the role may read. */
    outputs: string[];
    kmsKeyArn: pulumi.Input<string>;
    /** External schema name (config `clickstream:spectrumSchema`). */
    schemaName: string;
    /** Enrichment views from `sql/redshift/`, run in file-name order after the schema. Default none. */
    views?: RedshiftViewFile[];
    /** Name of the created namespace and workgroup (`create-serverless` only). Default `clickstream`. */
    serverlessName?: string;
}

/**
 * Redshift Spectrum over the lake: a role that reads only this Glue database and the outputs' prefixes,
 * the external schema, and the enrichment views, run with the Redshift Data API (`aws.redshiftdata.Statement`).
 *
 * - `cluster` / `serverless`: an existing target. Its role list is never written: `ClusterIamRoles` and a
 *   namespace's `iamRoles` replace the whole list (and would drop the roles other teams rely on), so the
 *   stack outputs the one command that adds this role, and runs the statements once the config says
 *   `roleAssociated: true`.
 * - `create-serverless`: a self-contained namespace and workgroup in a new VPC (three isolated subnets,
 *   no NAT gateway: Spectrum's S3 and Glue traffic does not route through the VPC without enhanced VPC
 *   routing, so the network costs nothing), with the role associated at creation.
 * - `none`: only the role; the schema DDL is output for manual use.
 */
export class SpectrumSchema extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    /** The `CREATE EXTERNAL SCHEMA` statement (run here, or output for the operator). */
    public readonly schemaSql: pulumi.Output<string>;
    /** The command that associates the role with an existing target; undefined when nothing is needed. */
    public readonly associationCommand?: pulumi.Output<string>;
    public readonly statements: aws.redshiftdata.Statement[] = [];
    public readonly namespace?: aws.redshiftserverless.Namespace;
    public readonly workgroup?: aws.redshiftserverless.Workgroup;
    public readonly vpc?: awsx.ec2.Vpc;

    constructor(name: string, args: SpectrumSchemaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:SpectrumSchema", name, {}, opts);
        const target = args.target;
        const scope = pulumi.output(args.scope);
        const views = (args.views ?? []).map((v) => ({ ...v, sql: renderRedshiftSql(v.file, v.sql, { schema: args.schemaName }) }));

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Redshift Spectrum: reads the clickstream Glue database and the lake's output prefixes",
                assumeRolePolicy: pulumi.jsonStringify(serviceTrustPolicy(spectrumTrustServices(target.mode))),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.id,
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([scope, args.glueDatabase, args.bucketArn, args.kmsKeyArn])
                        .apply(([s, database, bucketArn, kmsKeyArn]) => spectrumPolicy({ ...s, database, bucketArn, outputs: args.outputs, kmsKeyArn })),
                ),
            },
            { parent: this },
        );
        this.roleArn = this.role.arn;
        this.schemaSql = pulumi
            .all([args.glueDatabase, this.role.arn, scope.region])
            .apply(([database, arn, region]) => externalSchemaSql(args.schemaName, database, arn, region));

        let connection: { clusterIdentifier?: pulumi.Input<string>; dbUser?: string; workgroupName?: pulumi.Input<string>; secretArn?: pulumi.Input<string>; database: string } | undefined;
        let after: pulumi.Resource[] = [policy];
        switch (target.mode) {
            case "none":
                break;
            case "cluster":
                this.associationCommand = pulumi
                    .all([this.role.arn, scope.region])
                    .apply(([arn, region]) => associationCommand({ mode: "cluster", clusterIdentifier: target.clusterIdentifier }, arn, region));
                if (target.roleAssociated) {
                    connection = { clusterIdentifier: target.clusterIdentifier, database: target.database, dbUser: target.dbUser };
                }
                break;
            case "serverless": {
                const workgroup = aws.redshiftserverless.getWorkgroupOutput({ workgroupName: target.workgroupName }, { parent: this });
                const namespace = aws.redshiftserverless.getNamespaceOutput({ namespaceName: workgroup.namespaceName }, { parent: this });
                this.associationCommand = pulumi
                    .all([this.role.arn, scope.region, namespace.namespaceName, namespace.iamRoles])
                    .apply(([arn, region, namespaceName, existingRoles]) =>
                        associationCommand({ mode: "serverless", namespaceName, existingRoles: existingRoles ?? [] }, arn, region),
                    );
                if (target.roleAssociated) connection = { workgroupName: target.workgroupName, database: target.database };
                break;
            }
            case "create-serverless": {
                const base = args.serverlessName ?? "clickstream";
                this.vpc = new awsx.ec2.Vpc(
                    `${name}-vpc`,
                    {
                        cidrBlock: "10.42.0.0/16",
                        numberOfAvailabilityZones: 3,
                        natGateways: { strategy: "None" },
                        subnetStrategy: "Auto",
                        subnetSpecs: [{ type: "Isolated", cidrMask: 20 }],
                        enableDnsHostnames: true,
                    },
                    { parent: this },
                );
                const securityGroup = new aws.ec2.SecurityGroup(
                    `${name}-sg`,
                    {
                        description: "Clickstream Redshift Serverless: SQL from inside the VPC only",
                        vpcId: this.vpc.vpcId,
                        ingress: [{ description: "Redshift from the VPC", protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["10.42.0.0/16"] }],
                    },
                    { parent: this },
                );
                this.namespace = new aws.redshiftserverless.Namespace(
                    `${name}-namespace`,
                    {
                        namespaceName: base,
                        dbName: target.database,
                        adminUsername: "clickstream_admin",
                        manageAdminPassword: true,
                        adminPasswordSecretKmsKeyId: args.kmsKeyArn,
                        kmsKeyId: args.kmsKeyArn,
                        iamRoles: [this.role.arn],
                        defaultIamRoleArn: this.role.arn,
                        logExports: ["connectionlog", "userlog"],
                    },
                    { parent: this, dependsOn: [policy] },
                );
                this.workgroup = new aws.redshiftserverless.Workgroup(
                    `${name}-workgroup`,
                    {
                        workgroupName: base,
                        namespaceName: this.namespace.namespaceName,
                        baseCapacity: target.baseCapacityRpu,
                        publiclyAccessible: false,
                        enhancedVpcRouting: false,
                        subnetIds: this.vpc.isolatedSubnetIds,
                        securityGroupIds: [securityGroup.id],
                    },
                    { parent: this },
                );
                connection = { workgroupName: this.workgroup.workgroupName, database: target.database, secretArn: this.namespace.adminPasswordSecretArn };
                after = [policy, this.workgroup];
                break;
            }
        }

        if (connection) {
            const schema = new aws.redshiftdata.Statement(
                `${name}-external-schema`,
                { ...connection, statementName: `clickstream-external-schema-${args.schemaName}`, sql: this.schemaSql },
                { parent: this, dependsOn: after },
            );
            this.statements.push(schema);
            let previous: pulumi.Resource = schema;
            for (const view of views) {
                const statement = new aws.redshiftdata.Statement(
                    `${name}-view-${view.name}`,
                    { ...connection, statementName: `clickstream-view-${view.name}`, sql: view.sql },
                    { parent: this, dependsOn: [previous] },
                );
                this.statements.push(statement);
                previous = statement;
            }
        }
        this.registerOutputs({ roleArn: this.roleArn, schemaSql: this.schemaSql });
    }
}
