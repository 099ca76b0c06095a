import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ConfigError, RedshiftTarget } from "../lib/config";
import { AccountScope } from "../lib/iam/documents";
import { serviceTrustPolicy, spectrumPolicy, spectrumTrustServices } from "../lib/iam/lake-policies";
import { dataApiStatementName, redshiftAdminUser, redshiftServerlessName } from "../lib/naming";
import { SqlDefinitionError } from "../lib/sql/catalog";

/** A Redshift enrichment view from `sql/redshift/`, before placeholder substitution. */
export interface RedshiftViewFile {
    name: string;
    file: string;
    sql: string;
}

export interface SpectrumSchemaArgs {
    /** Where the schema lives (config `clickstream:redshift`). */
    readonly target: RedshiftTarget;
    /** Partition, home region and account of the lake. */
    readonly scope: pulumi.Input<AccountScope>;
    readonly glueDatabase: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    /** The output tables (= S3 prefixes) the role may read. */
    readonly outputs: string[];
    readonly kmsKeyArn: pulumi.Input<string>;
    /** External schema name (config `clickstream:spectrumSchema`). */
    readonly schemaName: string;
    /** Enrichment views from `sql/redshift/`, run in file-name order after the schema. Default none. */
    readonly views?: RedshiftViewFile[];
    /** Name of the created namespace and workgroup (`create-serverless` only). Default `redshiftServerlessName(<project>)`. */
    readonly serverlessName?: string;
}

/**
 * Redshift Spectrum over the lake: a role that reads only this Glue database and the outputs' prefixes,
 * the external schema, and the enrichment views, run with the Redshift Data API (`aws.redshiftdata.Statement`).
 *
 * - `cluster` / `serverless`: an existing target. Its role list is never written: `ClusterIamRoles` and a
 *   namespace's `iamRoles` replace the whole list (and would drop the roles other teams rely on), so the
 *   stack outputs the one command that adds this role, and runs the statements once the config says
 *   `roleAssociated: true`, as `dbUser` or the deployer (it outputs their grants) or as the user of
 *   `secretArn`.
 * - `create-serverless`: a self-contained namespace and workgroup in a new VPC (three isolated subnets,
 *   no NAT gateway: Spectrum's S3 and Glue traffic does not route through the VPC without enhanced VPC
 *   routing, so the network costs nothing), with the role associated at creation.
 * - `none`: only the role; the schema DDL is output for manual use.
 *
 * The schema is dropped and created again whenever its definition (Glue database, role, region) changes,
 * and the views are run again after it (see `statementName`).
 */
export class SpectrumSchema extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    /** The `CREATE EXTERNAL SCHEMA` statement (run here, or output for the operator). */
    public readonly schemaSql: pulumi.Output<string>;
    /** The command that associates the role with an existing target; undefined when nothing is needed. */
    public readonly associationCommand?: pulumi.Output<string>;
    /**
     * The grants the Data API user needs (`cluster`: `dbUser`; `serverless`: the deployer, as
     * `DEPLOYER_DATABASE_USER`); undefined when the statements run as the user of a secret.
     */
    public readonly grantSql?: string;
    /** In the order they run: the drop, the create, then each view. */
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
        // Checked for every target the statements will run on, so a bad schema name fails the first
        // preview, not the one after the role is associated.
        const dropSql = target.mode === "none" ? "" : dropExternalSchemaSql(args.schemaName);

        let connection:
            | {
                  clusterIdentifier?: pulumi.Input<string>;
                  dbUser?: string;
                  workgroupName?: pulumi.Input<string>;
                  secretArn?: pulumi.Input<string>;
                  database: string;
              }
            | undefined;
        let after: pulumi.Resource[] = [policy];
        switch (target.mode) {
            case "none":
                break;
            case "cluster":
                this.associationCommand = pulumi
                    .all([this.role.arn, scope.region])
                    .apply(([arn, region]) => associationCommand({ mode: "cluster", clusterIdentifier: target.clusterIdentifier }, arn, region));
                if (!target.secretArn) this.grantSql = grantSql(target.database, target.dbUser, viewSchemas(views));
                if (target.roleAssociated) {
                    connection = {
                        clusterIdentifier: target.clusterIdentifier,
                        database: target.database,
                        ...(target.secretArn ? { secretArn: target.secretArn } : { dbUser: target.dbUser }),
                    };
                }
                break;
            case "serverless": {
                const workgroup = aws.redshiftserverless.getWorkgroupOutput({ workgroupName: target.workgroupName }, { parent: this });
                const namespace = aws.redshiftserverless.getNamespaceOutput({ namespaceName: workgroup.namespaceName }, { parent: this });
                this.associationCommand = pulumi
                    .all([this.role.arn, scope.region, namespace.namespaceName, namespace.iamRoles, namespace.defaultIamRoleArn])
                    .apply(([arn, region, namespaceName, existingRoles, defaultRole]) =>
                        associationCommand(
                            { mode: "serverless", namespaceName, existingRoles: existingRoles ?? [], defaultRole: defaultRole || undefined },
                            arn,
                            region,
                        ),
                    );
                // The Data API user is derived from the deployer's IAM identity, unknown here.
                if (!target.secretArn) this.grantSql = grantSql(target.database, DEPLOYER_DATABASE_USER, viewSchemas(views));
                if (target.roleAssociated) {
                    connection = {
                        workgroupName: target.workgroupName,
                        database: target.database,
                        ...(target.secretArn ? { secretArn: target.secretArn } : {}),
                    };
                }
                break;
            }
            case "create-serverless": {
                const base = args.serverlessName ?? redshiftServerlessName(pulumi.getProject());
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
                        adminUsername: redshiftAdminUser(pulumi.getProject()),
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
            const project = pulumi.getProject();
            // The Data API runs one SQL statement per call (ExecuteStatement), and the Statement resource
            // has no batch form: the drop and the create are two statements, the create after the drop.
            // Every input of a Statement replaces it (runs it again), and each name ends with the schema
            // version: a new version re-runs the drop, the create and every view, in that order.
            const version = this.schemaSql.apply(schemaVersion);
            const drop = new aws.redshiftdata.Statement(
                `${name}-drop-schema`,
                { ...connection, statementName: version.apply((v) => dataApiStatementName(project, "drop-schema", args.schemaName, v)), sql: dropSql },
                { parent: this, dependsOn: after },
            );
            const schema = new aws.redshiftdata.Statement(
                `${name}-external-schema`,
                {
                    ...connection,
                    statementName: version.apply((v) => dataApiStatementName(project, "external-schema", args.schemaName, v)),
                    sql: this.schemaSql,
                },
                { parent: this, dependsOn: [drop] },
            );
            this.statements.push(drop, schema);
            // Each view's name takes the version from the schema statement's own SQL: the views depend on
            // that statement, and are replaced (run again) with it.
            const viewVersion = schema.sql.apply(schemaVersion);
            let previous: pulumi.Resource = schema;
            for (const view of views) {
                const statement = new aws.redshiftdata.Statement(
                    `${name}-view-${view.name}`,
                    { ...connection, statementName: viewVersion.apply((v) => dataApiStatementName(project, "view", view.name, v)), sql: view.sql },
                    { parent: this, dependsOn: [previous] },
                );
                this.statements.push(statement);
                previous = statement;
            }
        }
        this.registerOutputs({ roleArn: this.roleArn, schemaSql: this.schemaSql });
    }
}

/** `CREATE EXTERNAL SCHEMA` over the Glue database, with the Spectrum role. */
export function externalSchemaSql(schema: string, glueDatabase: string, roleArn: string, region: string): string {
    return `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${schema} FROM DATA CATALOG DATABASE '${glueDatabase}' ` + `IAM_ROLE '${roleArn}' REGION '${region}'`;
}

/**
 * `DROP SCHEMA` of the external schema, run before each (re-)creation: `CREATE EXTERNAL SCHEMA IF NOT
 * EXISTS` alone would keep an existing schema's old Glue database and role. An external schema holds no
 * data, only the link to the catalog; `CASCADE` also drops objects bound to it (the views of
 * `sql/redshift/` are late-binding and are re-run after the schema anyway). `public` is refused: the
 * stack would drop the database's default schema and everything in it.
 */
export function dropExternalSchemaSql(schema: string): string {
    if (schema === "public") {
        throw new ConfigError(
            "clickstream:spectrumSchema: 'public' is not valid; the stack drops and re-creates this schema (DROP SCHEMA ... CASCADE) when the Glue database or the role changes, so it must be a schema of its own",
        );
    }
    return `DROP SCHEMA IF EXISTS ${schema} CASCADE`;
}

/**
 * A short key of the external schema's definition (its `CREATE EXTERNAL SCHEMA` text: schema, Glue
 * database, role, region): the same text gives the same key, so an unchanged config leaves every
 * statement's inputs identical; any change gives a new key.
 */
export function schemaVersion(schemaSql: string): string {
    return createHash("sha256").update(schemaSql).digest("hex").slice(0, 12);
}

/**
 * The schemas the views are created in: the schema that qualifies each `CREATE [OR REPLACE] VIEW`
 * name, or `public` for an unqualified name (the first schema of Redshift's default search path that exists).
 */
export function viewSchemas(views: { sql: string }[]): string[] {
    const schemas = views.map((v) => /\bCREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:"?([A-Za-z_][\w$]*)"?\s*\.)?/i.exec(v.sql)?.[1]?.toLowerCase() ?? "public");
    return [...new Set(schemas)];
}

/** Stands for the deployer's database user in `grantSql`, which is not known when the program runs. */
export const DEPLOYER_DATABASE_USER = "<your database user>";

/**
 * The grants the Data API's database user needs to run the statements: `CREATE` on the database
 * (`CREATE EXTERNAL SCHEMA`; the user then owns the schema, which lets it drop it again) and `CREATE` on
 * each schema the views are created in. The user is a quoted identifier (IAM-mapped names contain ':').
 */
export function grantSql(database: string, user: string, schemas: string[]): string {
    const grantee = `"${user.replace(/"/g, '""')}"`;
    return [`GRANT CREATE ON DATABASE ${database} TO ${grantee};`, ...schemas.map((s) => `GRANT CREATE ON SCHEMA ${s} TO ${grantee};`)].join(" ");
}

/**
 * Substitutes the placeholders of a `sql/redshift/` file. The one placeholder is `${schema}`: the
 * external schema (config `clickstream:spectrumSchema`). Any other `${...}` is a mistake in the file.
 */
export function renderRedshiftSql(file: string, sql: string, vars: { schema: string }): string {
    const rendered = sql.replace(/\$\{schema\}/g, vars.schema);
    const unknown = /\$\{[^}]*\}/.exec(rendered);
    if (unknown) throw new SqlDefinitionError(`${file}: unknown placeholder ${unknown[0]}; the only placeholder is \${schema} (the Spectrum external schema)`);
    return rendered;
}

const ROLE_ARN = /arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+/g;

/**
 * The one command that associates the Spectrum role with an existing target without touching the
 * roles already there:
 * - a provisioned cluster: `modify-cluster-iam-roles --add-iam-roles` adds exactly one role;
 * - a serverless namespace: `update-namespace --iam-roles` takes the complete list, and only together
 *   with `--default-iam-role-arn` (UpdateNamespace updates the two together). So the command lists every
 *   role the namespace has now (read at deployment) plus the Spectrum role, and keeps the namespace's
 *   default role, or makes the Spectrum role the default when the namespace has none.
 */
export function associationCommand(
    target: { mode: "cluster"; clusterIdentifier: string } | { mode: "serverless"; namespaceName: string; existingRoles: string[]; defaultRole?: string },
    roleArn: string,
    region: string,
): string {
    if (target.mode === "cluster") {
        return `aws redshift modify-cluster-iam-roles --region ${region} --cluster-identifier ${target.clusterIdentifier} --add-iam-roles ${roleArn}`;
    }
    // The namespace API reports roles as ARNs or as "IamRole(applyStatus=..., iamRoleArn=arn:...)" strings.
    const existing = target.existingRoles.flatMap((r) => r.match(ROLE_ARN) ?? []);
    const defaultRole = target.defaultRole?.match(ROLE_ARN)?.[0] ?? roleArn;
    const roles = [...new Set([...existing, defaultRole, roleArn])];
    return (
        `aws redshift-serverless update-namespace --region ${region} --namespace-name ${target.namespaceName} ` +
        `--iam-roles ${roles.join(" ")} --default-iam-role-arn ${defaultRole}`
    );
}
