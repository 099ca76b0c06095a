/**
 * Every rule of the `clickstream` policy pack, in one list. `policy/index.ts` serves them; tests import
 * this module (importing `index.ts` would start the policy gRPC server).
 */
import { athenaRules } from "./rules/athena";
import { cloudwatchRules } from "./rules/cloudwatch";
import { firehoseRules } from "./rules/firehose";
import { flinkRules } from "./rules/flink";
import { iamRules } from "./rules/iam";
import { kinesisRules } from "./rules/kinesis";
import { kmsRules } from "./rules/kms";
import { s3Rules } from "./rules/s3";
import { Rule } from "./rules/util";

export const policies: Rule[] = [...kinesisRules, ...firehoseRules, ...s3Rules, ...kmsRules, ...athenaRules, ...flinkRules, ...iamRules, ...cloudwatchRules];
