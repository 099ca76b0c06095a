import { expect } from "chai";
import { associationCommand, externalSchemaSql, renderRedshiftSql } from "../components/SpectrumSchema";
import { spectrumPolicy } from "../lib/iam/lake-policies";
import { lakeConfig, writeFixtureSql } from "./lake-fixtures";
import { all, AWS, BUCKET_ARN, evaluateLake, KEY_ARN, one, policyOf } from "./lake-helpers";
import { invokes, recorded } from "./mocks";

const ROLE = "arn:aws:iam:eu-central-1:123456789012:spectrum-role";
const SCHEMA_SQL = `CREATE EXTERNAL SCHEMA IF NOT EXISTS clickstream FROM DATA CATALOG DATABASE 'clickstream' IAM_ROLE '${ROLE}' REGION 'eu-central-1'`;
const VIEW_SQL =
    "CREATE OR REPLACE VIEW public.clicks_by_site AS\n" +
    "SELECT c.site, s.site_name, c.clicks FROM clickstream.clicks_1m c LEFT JOIN public.sites s ON s.site = c.site\n" +
    "WITH NO SCHEMA BINDING";
const STATEMENT = "aws:redshiftdata/statement:Statement";

const statements = () => all(STATEMENT).map((s) => ({ name: s.name, ...s.inputs }));
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
            "sql/redshift/x.sql: unknown placeholder ${db}; the only placeholder is ${schema} (the Spectrum external schema)",
        );
    });

    it("association commands add one role and never drop existing ones", () => {
        expect(associationCommand({ mode: "cluster", clusterIdentifier: "bi" }, "arn:aws:iam::123456789012:role/spectrum", "eu-central-1")).to.equal(
            "aws redshift modify-cluster-iam-roles --region eu-central-1 --cluster-identifier bi --add-iam-roles arn:aws:iam::123456789012:role/spectrum",
        );
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
                },
                "arn:aws:iam::123456789012:role/spectrum",
                "eu-central-1",
            ),
        ).to.equal(
            "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name ns --iam-roles " +
                "arn:aws:iam::123456789012:role/etl arn:aws:iam::123456789012:role/bi arn:aws:iam::123456789012:role/spectrum",
        );
    });
});

describe("Spectrum against the lake", function () {
    this.timeout(60_000);

    it("existing serverless workgroup (Pulumi.lake.yaml): role and grants, the command, no statements until the role is associated", async () => {
        const { outputs } = await evaluateLake(lakeConfig(), writeFixtureSql());
        expect(policyOf(one("aws:iam/role:Role", "spectrum-role"), "assumeRolePolicy").Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] }, Action: "sts:AssumeRole" },
        ]);
        expect(policyOf(one("aws:iam/rolePolicy:RolePolicy", "spectrum-policy"))).to.deep.equal(
            spectrumPolicy({ partition: "aws", region: "eu-central-1", accountId: AWS, database: "clickstream", bucketArn: BUCKET_ARN, outputs: ["clicks_1m", "revenue_1m"], kmsKeyArn: KEY_ARN }),
        );
        expect(statements()).to.deep.equal([]);
        expect(redshiftResources()).to.deep.equal([]); // the namespace and its role list are not touched
        expect(invokes.filter((i) => i.token.startsWith("aws:redshiftserverless/")).map((i) => [i.token, i.args])).to.deep.equal([
            ["aws:redshiftserverless/getWorkgroup:getWorkgroup", { workgroupName: "analytics" }],
            ["aws:redshiftserverless/getNamespace:getNamespace", { namespaceName: "analytics-ns" }],
        ]);
        expect(outputs.spectrumRoleAssociationCommand).to.equal(
            `aws redshift-serverless update-namespace --region eu-central-1 --namespace-name analytics-ns --iam-roles arn:aws:iam::123456789012:role/existing-redshift-role ${ROLE}`,
        );
        expect(outputs.spectrumSchemaSql).to.equal(SCHEMA_SQL);
    });

    it("existing serverless workgroup, role associated: schema, then views, through the Data API", async () => {
        await evaluateLake(
            lakeConfig({ "clickstream:redshift": { mode: "serverless", workgroupName: "analytics", database: "dev", roleAssociated: true } }),
            writeFixtureSql(),
        );
        expect(statements()).to.deep.equal([
            { name: "spectrum-external-schema", workgroupName: "analytics", database: "dev", statementName: "clickstream-external-schema-clickstream", sql: SCHEMA_SQL },
            { name: "spectrum-view-clicks_by_site", workgroupName: "analytics", database: "dev", statementName: "clickstream-view-clicks_by_site", sql: VIEW_SQL },
        ]);
        expect(redshiftResources()).to.deep.equal([]);
    });

    it("existing provisioned cluster: never a Cluster or ClusterIamRoles resource; add-one-role command; statements as dbUser", async () => {
        const { outputs } = await evaluateLake(
            lakeConfig({
                "clickstream:spectrumSchema": "lake",
                "clickstream:redshift": { mode: "cluster", clusterIdentifier: "bi-prod", database: "analytics", dbUser: "etl", roleAssociated: true },
            }),
            writeFixtureSql(),
        );
        expect(redshiftResources()).to.deep.equal([]);
        expect(policyOf(one("aws:iam/role:Role", "spectrum-role"), "assumeRolePolicy").Statement[0].Principal).to.deep.equal({ Service: ["redshift.amazonaws.com"] });
        expect(outputs.spectrumRoleAssociationCommand).to.equal(`aws redshift modify-cluster-iam-roles --region eu-central-1 --cluster-identifier bi-prod --add-iam-roles ${ROLE}`);
        expect(statements()).to.deep.equal([
            {
                name: "spectrum-external-schema",
                clusterIdentifier: "bi-prod",
                database: "analytics",
                dbUser: "etl",
                statementName: "clickstream-external-schema-lake",
                sql: `CREATE EXTERNAL SCHEMA IF NOT EXISTS lake FROM DATA CATALOG DATABASE 'clickstream' IAM_ROLE '${ROLE}' REGION 'eu-central-1'`,
            },
            {
                name: "spectrum-view-clicks_by_site",
                clusterIdentifier: "bi-prod",
                database: "analytics",
                dbUser: "etl",
                statementName: "clickstream-view-clicks_by_site",
                sql: VIEW_SQL.replace("clickstream.clicks_1m", "lake.clicks_1m"),
            },
        ]);
        expect(outputs.spectrumSchema).to.equal("lake");
    });

    it("create-serverless: isolated VPC without NAT, private workgroup, namespace with the lake key and the Spectrum role", async () => {
        await evaluateLake(lakeConfig({ "clickstream:redshift": { mode: "create-serverless", database: "bi", baseCapacityRpu: "16" } }), writeFixtureSql());
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
            { name: "spectrum-external-schema", workgroupName: "clickstream", database: "bi", secretArn, statementName: "clickstream-external-schema-clickstream", sql: SCHEMA_SQL },
            { name: "spectrum-view-clicks_by_site", workgroupName: "clickstream", database: "bi", secretArn, statementName: "clickstream-view-clicks_by_site", sql: VIEW_SQL },
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
        expect(outputs.spectrumRoleArn).to.equal(ROLE);
    });
});
