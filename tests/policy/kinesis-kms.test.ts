import { expect } from "chai";
import { kinesisStreamKmsEncryption, kinesisStreamMinimumRetention } from "../../policy/rules/kinesis";
import { kmsKeyRotation } from "../../policy/rules/kms";
import { validateResource } from "./harness";

const STREAM = "aws:kinesis/stream:Stream";
const goodStream = {
    name: "clickstream-eu-web",
    encryptionType: "KMS",
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    retentionPeriod: 48,
    streamModeDetails: { streamMode: "ON_DEMAND" },
};

describe("policy: Kinesis streams", () => {
    it("kinesis-stream-kms-encryption passes a KMS-encrypted stream", async () => {
        expect(await validateResource(kinesisStreamKmsEncryption, STREAM, goodStream)).to.deep.equal([]);
    });

    it("kinesis-stream-kms-encryption fails an unencrypted stream", async () => {
        const plain: Record<string, unknown> = { ...goodStream };
        delete plain.encryptionType;
        delete plain.kmsKeyId;
        expect(await validateResource(kinesisStreamKmsEncryption, STREAM, plain)).to.deep.equal([
            `encryptionType is 'NONE'; set encryptionType: "KMS" (Kinesis.1, CKV_AWS_43)`,
            "kmsKeyId is not set; set it to a customer managed key ARN or 'alias/aws/kinesis' (Kinesis.1, CKV_AWS_43)",
        ]);
    });

    it("kinesis-stream-kms-encryption is not applicable to other types", async () => {
        expect(await validateResource(kinesisStreamKmsEncryption, "aws:kms/key:Key", {})).to.equal(undefined);
    });

    it("kinesis-stream-minimum-retention passes 48 hours", async () => {
        expect(await validateResource(kinesisStreamMinimumRetention, STREAM, goodStream)).to.deep.equal([]);
    });

    it("kinesis-stream-minimum-retention fails the 24-hour default", async () => {
        const defaults: Record<string, unknown> = { ...goodStream };
        delete defaults.retentionPeriod;
        expect(await validateResource(kinesisStreamMinimumRetention, STREAM, defaults)).to.deep.equal(["retentionPeriod is 24 hours; set at least 48 hours"]);
    });
});

describe("policy: KMS", () => {
    const KEY = "aws:kms/key:Key";
    it("kms-key-rotation passes a rotating key", async () => {
        expect(await validateResource(kmsKeyRotation, KEY, { enableKeyRotation: true, deletionWindowInDays: 30 })).to.deep.equal([]);
    });

    it("kms-key-rotation fails a key without rotation", async () => {
        expect(await validateResource(kmsKeyRotation, KEY, { description: "lake" })).to.deep.equal([
            "enableKeyRotation is not true; set enableKeyRotation: true (CKV_AWS_7)",
        ]);
    });

    it("kms-key-rotation skips asymmetric keys, which cannot rotate", async () => {
        expect(await validateResource(kmsKeyRotation, KEY, { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })).to.deep.equal([]);
    });
});
