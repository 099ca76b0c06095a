import * as pulumi from "@pulumi/pulumi";
import { ConfigReader } from "./config";
import { StackId } from "./naming";

/** The running program's project and stack: the two parts of every physical name (lib/naming.ts). */
export function currentStackId(): StackId {
    return { project: pulumi.getProject(), stack: pulumi.getStack() };
}

/** A ConfigReader over the running stack's Pulumi config (structured values arrive as JSON strings). */
export function pulumiConfigReader(): ConfigReader {
    const namespaces = new Map<string, pulumi.Config>();
    return (fullKey) => {
        const [namespace, name] = fullKey.split(":");
        if (!namespaces.has(namespace)) namespaces.set(namespace, new pulumi.Config(namespace));
        return namespaces.get(namespace)!.get(name);
    };
}
