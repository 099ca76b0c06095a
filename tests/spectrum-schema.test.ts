import { expect } from "chai";
import { createHash } from "crypto";
import {
    associationCommand,
    DEPLOYER_DATABASE_USER,
    dropExternalSchemaSql,
    externalSchemaSql,
    grantSql,
    renderRedshiftSql,
    schemaVersion,
    viewSchemas,
} from "../components/SpectrumSchema";
import { ConfigError } from "../lib/config";
import { SqlDefinitionError } from "../lib/sql/catalog";
import { spectrumPolicy } from "../lib/iam/lake-policies";
import { dataApiStatementName } from "../lib/naming";
import { lakeConfig, writeFixtureSql } from "./lake-fixtures";
import { all, AWS, BUCKET_ARN, evaluateLake, KEY_ARN, one, policyOf } from "./lake-helpers";
import { invokes, recorded, settle } from "./mocks";

const ROLE = "arn:aws:iam:eu-central-1:123456789012:spectrum-role";
const SCHEMA_SQL = `CREATE EXTERNAL SCHEMA IF NOT EXISTS clickstream FROM DATA CATALOG DATABASE 'clickstream' IAM_ROLE '${ROLE}' REGION 'eu-central-1'`;
const VIEW_SQL =
    "CREATE OR REPLACE VIEW public.clicks_by_site AS\n" +
    "SELECT c.site, s.site_name, c.clicks FROM clickstream.clicks_1m c LEFT JOIN public.sites s ON s.site = c.site\n" +
    "WITH NO SCHEMA BINDING";
const STATEMENT = "aws:redshiftdata/statement:Statement";
const DROP_SQL = "DROP SCHEMA IF EXISTS clickstream CASCADE";
/** The schema version of SCHEMA_SQL: the first 12 hex digits of its SHA-256. */
const V = "afeb08760944";
const GRANT_SQL = `GRANT CREATE ON DATABASE dev TO "<your database user>"; GRANT CREATE ON SCHEMA public TO "<your database user>";`;
const SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:redshift!analytics-admin-AbCdEf";

const statements = (): Record<string, unknown>[] => all(STATEMENT).map((s) => ({ name: s.name, ...s.inputs }));
const redshiftResources = () => recorded.filter((r) => /^aws:redshift/.test(r.type) && r.type !== STATEMENT);

describe("Spectrum: pure SQL and commands", () => {
    it("external schema DDL", () => {
        expect(externalSchemaSql("clickstream", "clickstream", "arn:aws:iam::1:role/r", "eu-central-1")).to.equal(
            "CREATE EXTERNAL SCHEMA IF NOT EXISTS clickstream FROM DATA CATALOG DATABASE 'clickstream' IAM_ROLE 'arn:aws:iam::1:role/r' REGION 'eu-central-1'",
        );
    });

    it("views: ${schema} is substituted; any other placeholder fails naming the file", () => {
        expect(renderRedshiftSql("f.sql", "SELECT * FROM ${schema}.a JOIN ${schema}.b", { schema: "lake" })).to.equal("SELECT * FROM lake.a JOIN lake.b");
        expect(() => renderRedshiftSql("sql/redshift/x.sql", "SELECT * FROM ${db}.a", { schema: "lake" })).to.throw(
            SqlDefinitionError,
            "sql/redshift/x.sql: unknown placeholder ${db}; the only placeholder is ${schema} (the Spectrum external schema)",
        );
    });

    it("association commands add one role and never drop existing ones", () => {
        expect(associationCommand({ mode: "cluster", clusterIdentifier: "bi" }, "arn:aws:iam::123456789012:role/spectrum", "eu-central-1")).to.equal(
            "aws redshift modify-cluster-iam-roles --region eu-central-1 --cluster-identifier bi --add-iam-roles arn:aws:iam::123456789012:role/spectrum",
        );
    });

    it("serverless association: every current role plus the Spectrum role, with the namespace's default role kept (UpdateNamespace takes both together)", () => {
        expect(
            associationCommand(
                {
                    mode: "serverless",
                    namespaceName: "ns",
                    existingRoles: [
                        "IamRole(applyStatus=in-sync, iamRoleArn=arn:aws:iam::123456789012:role/etl)",
                        "arn:aws:iam::123456789012:role/bi",
                        "arn:aws:iam::123456789012:role/spectrum",
                    ],
                    defaultRole: "arn:aws:iam::123456789012:role/bi",
                },
                "arn:aws:iam::123456789012:role/spectrum",
                "eu-central-1",
            ),
        ).to.equal(
            "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name ns --iam-roles " +
                "arn:aws:iam::123456789012:role/etl arn:aws:iam::123456789012:role/bi arn:aws:iam::123456789012:role/spectrum " +
                "--default-iam-role-arn arn:aws:iam::123456789012:role/bi",
        );
    });

    it("serverless association: a namespace with no roles gets the Spectrum role as its only and default role", () => {
        expect(
            associationCommand({ mode: "serverless", namespaceName: "ns", existingRoles: [] }, "arn:aws:iam::123456789012:role/spectrum", "eu-central-1"),
        ).to.equal(
            "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name ns " +
                "--iam-roles arn:aws:iam::123456789012:role/spectrum --default-iam-role-arn arn:aws:iam::123456789012:role/spectrum",
        );
        // A namespace with roles but no default (the API returns an empty string): the Spectrum role becomes the default.
        expect(
            associationCommand(
                { mode: "serverless", namespaceName: "ns", existingRoles: ["arn:aws:iam::123456789012:role/etl"], defaultRole: undefined },
                "arn:aws:iam::123456789012:role/spectrum",
                "eu-central-1",
            ),
        ).to.equal(
            "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name ns " +
                "--iam-roles arn:aws:iam::123456789012:role/etl arn:aws:iam::123456789012:role/spectrum --default-iam-role-arn arn:aws:iam::123456789012:role/spectrum",
        );
    });

    it("the schema is dropped (CASCADE) before it is created again; public is refused", () => {
        expect(dropExternalSchemaSql("clickstream")).to.equal(DROP_SQL);
        expect(() => dropExternalSchemaSql("public")).to.throw(
            ConfigError,
            "clickstream:spectrumSchema: 'public' is not valid; the stack drops and re-creates this schema (DROP SCHEMA ... CASCADE) when the Glue database or the role changes, so it must be a schema of its own",
        );
    });

    it("schema version: the SHA-256 of the CREATE text, so the same definition keeps every statement name, and a new database or role changes them", () => {
        expect(schemaVersion(SCHEMA_SQL)).to.equal(V);
        expect(V).to.equal(createHash("sha256").update(SCHEMA_SQL).digest("hex").slice(0, 12));
        const base = externalSchemaSql("clickstream", "clickstream", ROLE, "eu-central-1");
        expect(schemaVersion(externalSchemaSql("clickstream", "clickstream", ROLE, "eu-central-1"))).to.equal(schemaVersion(base));
        const otherDatabase = schemaVersion(externalSchemaSql("clickstream", "clickstream_v2", ROLE, "eu-central-1"));
        const otherRole = schemaVersion(externalSchemaSql("clickstream", "clickstream", "arn:aws:iam::123456789012:role/spectrum-v2", "eu-central-1"));
        expect(new Set([schemaVersion(base), otherDatabase, otherRole]).size).to.equal(3);
        expect([
            dataApiStatementName("clickstream", "drop-schema", "clickstream", V),
            dataApiStatementName("clickstream", "external-schema", "clickstream", V),
            dataApiStatementName("clickstream", "view", "clicks_by_site", V),
        ]).to.deep.equal([`clickstream-drop-schema-clickstream-${V}`, `clickstream-external-schema-clickstream-${V}`, `clickstream-view-clicks_by_site-${V}`]);
    });

    it("grants: CREATE on the database (for CREATE EXTERNAL SCHEMA) and on each schema the views are created in, to a quoted user", () => {
        expect(
            viewSchemas([
                { sql: VIEW_SQL },
                { sql: "-- c\ncreate view bi.x as select 1" },
                { sql: "CREATE VIEW y AS SELECT 1" },
                { sql: 'CREATE OR REPLACE VIEW "BI" . z AS SELECT 1' },
            ]),
        ).to.deep.equal(["public", "bi"]);
        expect(grantSql("dev", DEPLOYER_DATABASE_USER, ["public"])).to.equal(GRANT_SQL);
        expect(grantSql("analytics", "IAMR:deployer", ["public", "bi"])).to.equal(
            'GRANT CREATE ON DATABASE analytics TO "IAMR:deployer"; GRANT CREATE ON SCHEMA public TO "IAMR:deployer"; GRANT CREATE ON SCHEMA bi TO "IAMR:deployer";',
        );
        expect(grantSql("dev", 'we"ird', [])).to.equal('GRANT CREATE ON DATABASE dev TO "we""ird";');
    });
});

describe("Spectrum against the lake", function () {
    this.timeout(60_000);

    it("existing serverless workgroup (Pulumi.lake.yaml): role and grants, the command, the GRANT, no statements until the role is associated", async () => {
        const { outputs } = await evaluateLake(lakeConfig(), writeFixtureSql());
        expect(policyOf(one("aws:iam/role:Role", "spectrum-role"), "assumeRolePolicy").Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] }, Action: "sts:AssumeRole" },
        ]);
        expect(policyOf(one("aws:iam/rolePolicy:RolePolicy", "spectrum-policy"))).to.deep.equal(
            spectrumPolicy({
                partition: "aws",
                region: "eu-central-1",
                accountId: AWS,
                database: "clickstream",
                bucketArn: BUCKET_ARN,
                outputs: ["clicks_1m", "revenue_1m"],
                kmsKeyArn: KEY_ARN,
            }),
        );
        expect(statements()).to.deep.equal([]);
        expect(redshiftResources()).to.deep.equal([]); // the namespace and its role list are not touched
        expect(invokes.filter((i) => i.token.startsWith("aws:redshiftserverless/")).map((i) => [i.token, i.args])).to.deep.equal([
            ["aws:redshiftserverless/getWorkgroup:getWorkgroup", { workgroupName: "analytics" }],
            ["aws:redshiftserverless/getNamespace:getNamespace", { namespaceName: "analytics-ns" }],
        ]);
        // The mocked namespace has one role and no default role: the Spectrum role becomes the default.
        expect(outputs.spectrumRoleAssociationCommand).to.equal(
            "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name analytics-ns " +
                `--iam-roles arn:aws:iam::123456789012:role/existing-redshift-role ${ROLE} --default-iam-role-arn ${ROLE}`,
        );
        expect(outputs.spectrumGrantSql).to.equal(GRANT_SQL);
        expect(outputs.spectrumSchemaSql).to.equal(SCHEMA_SQL);
    });

    it("existing serverless workgroup, role associated: drop, create, then views, through the Data API as the deployer", async () => {
        await evaluateLake(
            lakeConfig({ "clickstream:redshift": { mode: "serverless", workgroupName: "analytics", database: "dev", roleAssociated: true } }),
            writeFixtureSql(),
        );
        expect(statements()).to.deep.equal([
            {
                name: "spectrum-drop-schema",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-drop-schema-clickstream-${V}`,
                sql: DROP_SQL,
            },
            {
                name: "spectrum-external-schema",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-external-schema-clickstream-${V}`,
                sql: SCHEMA_SQL,
            },
            {
                name: "spectrum-view-clicks_by_site",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-view-clicks_by_site-${V}`,
                sql: VIEW_SQL,
            },
        ]);
        // Each statement waits for the one before it.
        const waitsFor = (name: string) => recorded.find((r) => r.type === STATEMENT && r.name === name)!.dependsOn;
        expect(waitsFor("spectrum-external-schema")).to.include("spectrum-drop-schema");
        expect(waitsFor("spectrum-view-clicks_by_site")).to.include("spectrum-external-schema");
        expect(redshiftResources()).to.deep.equal([]);
    });

    it("existing serverless workgroup with secretArn: every statement runs as the secret's user, and no GRANT is output", async () => {
        const { outputs } = await evaluateLake(
            lakeConfig({
                "clickstream:redshift": { mode: "serverless", workgroupName: "analytics", database: "dev", secretArn: SECRET, roleAssociated: true },
            }),
            writeFixtureSql(),
        );
        expect(statements().map((s) => [s.name, s.workgroupName, s.database, s.secretArn, s.dbUser])).to.deep.equal([
            ["spectrum-drop-schema", "analytics", "dev", SECRET, undefined],
            ["spectrum-external-schema", "analytics", "dev", SECRET, undefined],
            ["spectrum-view-clicks_by_site", "analytics", "dev", SECRET, undefined],
        ]);
        expect(outputs).not.to.have.property("spectrumGrantSql");
        expect(outputs.spectrumRoleAssociationCommand).to.be.a("string");
    });

    it("a changed Glue database or role drops and re-creates the schema and re-runs the views; an unchanged config changes no statement input", async () => {
        const redshift = { "clickstream:redshift": { mode: "serverless", workgroupName: "analytics", database: "dev", roleAssociated: true } };
        await evaluateLake(lakeConfig(redshift), writeFixtureSql());
        const first = statements();
        await evaluateLake(lakeConfig(redshift), writeFixtureSql());
        expect(statements()).to.deep.equal(first); // every Statement input replaces it: identical inputs run nothing

        await evaluateLake(lakeConfig({ ...redshift, "clickstream:glueDatabase": "clickstream_v2" }), writeFixtureSql());
        const changed = statements();
        const sql = SCHEMA_SQL.replace("DATABASE 'clickstream'", "DATABASE 'clickstream_v2'");
        const v2 = schemaVersion(sql);
        expect(v2).not.to.equal(V);
        expect(changed).to.deep.equal([
            {
                name: "spectrum-drop-schema",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-drop-schema-clickstream-${v2}`,
                sql: DROP_SQL,
            },
            {
                name: "spectrum-external-schema",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-external-schema-clickstream-${v2}`,
                sql,
            },
            {
                name: "spectrum-view-clicks_by_site",
                workgroupName: "analytics",
                database: "dev",
                statementName: `clickstream-view-clicks_by_site-${v2}`,
                sql: VIEW_SQL,
            },
        ]);
        // Each statement's inputs differ from before, so each is replaced: run again, in the order drop, create, views.
        changed.forEach((s, i) => expect(s, String(s.name)).not.to.deep.equal(first[i]));
        // The role is part of the same version: a new role ARN gives new names to all three statements as well.
        expect(schemaVersion(SCHEMA_SQL.replace(ROLE, "arn:aws:iam::123456789012:role/spectrum-v2"))).not.to.equal(V);
    });

    it("existing provisioned cluster: never a Cluster or ClusterIamRoles resource; add-one-role command; statements as dbUser, and its GRANT", async () => {
        const { outputs } = await evaluateLake(
            lakeConfig({
                "clickstream:spectrumSchema": "lake",
                "clickstream:redshift": { mode: "cluster", clusterIdentifier: "bi-prod", database: "analytics", dbUser: "etl", roleAssociated: true },
            }),
            writeFixtureSql(),
        );
        expect(redshiftResources()).to.deep.equal([]);
        expect(policyOf(one("aws:iam/role:Role", "spectrum-role"), "assumeRolePolicy").Statement[0].Principal).to.deep.equal({
            Service: ["redshift.amazonaws.com"],
        });
        expect(outputs.spectrumRoleAssociationCommand).to.equal(
            `aws redshift modify-cluster-iam-roles --region eu-central-1 --cluster-identifier bi-prod --add-iam-roles ${ROLE}`,
        );
        expect(outputs.spectrumGrantSql).to.equal('GRANT CREATE ON DATABASE analytics TO "etl"; GRANT CREATE ON SCHEMA public TO "etl";');
        const sql = `CREATE EXTERNAL SCHEMA IF NOT EXISTS lake FROM DATA CATALOG DATABASE 'clickstream' IAM_ROLE '${ROLE}' REGION 'eu-central-1'`;
        const v = schemaVersion(sql);
        expect(statements()).to.deep.equal([
            {
                name: "spectrum-drop-schema",
                clusterIdentifier: "bi-prod",
                database: "analytics",
                dbUser: "etl",
                statementName: `clickstream-drop-schema-lake-${v}`,
                sql: "DROP SCHEMA IF EXISTS lake CASCADE",
            },
            {
                name: "spectrum-external-schema",
                clusterIdentifier: "bi-prod",
                database: "analytics",
                dbUser: "etl",
                statementName: `clickstream-external-schema-lake-${v}`,
                sql,
            },
            {
                name: "spectrum-view-clicks_by_site",
                clusterIdentifier: "bi-prod",
                database: "analytics",
                dbUser: "etl",
                statementName: `clickstream-view-clicks_by_site-${v}`,
                sql: VIEW_SQL.replace("clickstream.clicks_1m", "lake.clicks_1m"),
            },
        ]);
        expect(outputs.spectrumSchema).to.equal("lake");
    });

    it("existing provisioned cluster with secretArn: the statements carry the secret instead of dbUser, and no GRANT is output", async () => {
        const { outputs } = await evaluateLake(
            lakeConfig({
                "clickstream:redshift": { mode: "cluster", clusterIdentifier: "bi-prod", database: "analytics", secretArn: SECRET, roleAssociated: true },
            }),
            writeFixtureSql(),
        );
        expect(statements().map((s) => [s.name, s.clusterIdentifier, s.database, s.secretArn, s.dbUser])).to.deep.equal([
            ["spectrum-drop-schema", "bi-prod", "analytics", SECRET, undefined],
            ["spectrum-external-schema", "bi-prod", "analytics", SECRET, undefined],
            ["spectrum-view-clicks_by_site", "bi-prod", "analytics", SECRET, undefined],
        ]);
        expect(outputs).not.to.have.property("spectrumGrantSql");
    });

    it("spectrumSchema public is refused at the first preview of a target the statements will run on", async () => {
        let error: unknown;
        try {
            // Pulumi.lake.yaml's serverless target, before roleAssociated: the error comes before the association step.
            await evaluateLake(lakeConfig({ "clickstream:spectrumSchema": "public" }), writeFixtureSql());
        } catch (e) {
            error = e;
        }
        await settle(); // the registrations started before the error land here, not in the next test
        await settle();
        expect(error).to.be.instanceOf(ConfigError);
        expect(statements()).to.deep.equal([]);
    });

    it("create-serverless: isolated VPC without NAT, private workgroup, namespace with the lake key and the Spectrum role", async () => {
        const { outputs } = await evaluateLake(
            lakeConfig({ "clickstream:redshift": { mode: "create-serverless", database: "bi", baseCapacityRpu: "16" } }),
            writeFixtureSql(),
        );
        expect(outputs).not.to.have.property("spectrumGrantSql"); // the statements run as the namespace's admin
        expect(one("awsx:ec2:Vpc", "spectrum-vpc").inputs).to.deep.equal({
            cidrBlock: "10.42.0.0/16",
            numberOfAvailabilityZones: 3,
            natGateways: { strategy: "None" },
            subnetStrategy: "Auto",
            subnetSpecs: [{ type: "Isolated", cidrMask: 20 }],
            enableDnsHostnames: true,
        });
        expect(one("aws:ec2/securityGroup:SecurityGroup", "spectrum-sg").inputs).to.deep.equal({
            description: "Clickstream Redshift Serverless: SQL from inside the VPC only",
            vpcId: "vpc-spectrum-vpc",
            ingress: [{ description: "Redshift from the VPC", protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["10.42.0.0/16"] }],
        });
        const { adminUsername, ...namespace } = one("aws:redshiftserverless/namespace:Namespace", "spectrum-namespace").inputs;
        expect(adminUsername.value ?? adminUsername).to.equal("clickstream_admin"); // the provider marks it secret
        expect(namespace).to.deep.equal({
            namespaceName: "clickstream",
            dbName: "bi",
            manageAdminPassword: true,
            adminPasswordSecretKmsKeyId: KEY_ARN,
            kmsKeyId: KEY_ARN,
            iamRoles: [ROLE],
            defaultIamRoleArn: ROLE,
            logExports: ["connectionlog", "userlog"],
        });
        expect(one("aws:redshiftserverless/workgroup:Workgroup", "spectrum-workgroup").inputs).to.deep.equal({
            workgroupName: "clickstream",
            namespaceName: "clickstream",
            baseCapacity: 16,
            publiclyAccessible: false,
            enhancedVpcRouting: false,
            subnetIds: ["subnet-spectrum-vpc-isolated-a", "subnet-spectrum-vpc-isolated-b", "subnet-spectrum-vpc-isolated-c"],
            securityGroupIds: ["spectrum-sg-id"],
        });
        const secretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:redshift!clickstream-admin";
        expect(statements()).to.deep.equal([
            {
                name: "spectrum-drop-schema",
                workgroupName: "clickstream",
                database: "bi",
                secretArn,
                statementName: `clickstream-drop-schema-clickstream-${V}`,
                sql: DROP_SQL,
            },
            {
                name: "spectrum-external-schema",
                workgroupName: "clickstream",
                database: "bi",
                secretArn,
                statementName: `clickstream-external-schema-clickstream-${V}`,
                sql: SCHEMA_SQL,
            },
            {
                name: "spectrum-view-clicks_by_site",
                workgroupName: "clickstream",
                database: "bi",
                secretArn,
                statementName: `clickstream-view-clicks_by_site-${V}`,
                sql: VIEW_SQL,
            },
        ]);
        expect(recorded.filter((r) => r.type === "aws:ec2/natGateway:NatGateway")).to.deep.equal([]);
    });

    it("none: only the role, and the DDL as an output", async () => {
        const { outputs } = await evaluateLake(lakeConfig({ "clickstream:redshift": { mode: "none" } }), writeFixtureSql());
        expect(statements()).to.deep.equal([]);
        expect(redshiftResources()).to.deep.equal([]);
        expect(all("awsx:ec2:Vpc")).to.deep.equal([]);
        expect(outputs.spectrumSchemaSql).to.equal(SCHEMA_SQL);
        expect(outputs).not.to.have.property("spectrumRoleAssociationCommand");
        expect(outputs).not.to.have.property("spectrumGrantSql");
        expect(outputs.spectrumRoleArn).to.equal(ROLE);
    });
});
