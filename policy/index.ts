/**
 * The `clickstream` CrossGuard policy pack. Run it with `pulumi preview --policy-pack policy` (see
 * docs/SECURITY.md for what each rule enforces and the control it comes from).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("clickstream", {
    description: "Security and reliability rules for the seasonal clickstream analytics pipeline",
    enforcementLevel: "mandatory",
    policies,
});
