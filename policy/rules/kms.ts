/** KMS: customer managed keys rotate. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule } from "./util";

export const kmsKeyRotation: Rule = {
    name: "kms-key-rotation",
    description: "Symmetric customer managed KMS keys have automatic rotation on (Checkov CKV_AWS_7, Security Hub KMS.4).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if (spec !== "SYMMETRIC_DEFAULT" || (key.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return;
        if (key.enableKeyRotation !== true) {
            report("enableKeyRotation is not true; set enableKeyRotation: true (CKV_AWS_7)");
        }
    }),
};

export const kmsRules: Rule[] = [kmsKeyRotation];
