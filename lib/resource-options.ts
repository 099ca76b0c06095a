/**
 * Destroy-safety: the options that keep the lake's data and its key alive through `pulumi destroy` of
 * any stack. Pulumi mocks cannot observe `retainOnDelete`, so tests call these functions directly.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Options of the lake bucket, the lake KMS key, and the bucket's security settings (encryption, public
 * access block, TLS-only policy, ownership, versioning, lifecycle).
 *
 * - `retainOnDelete: true`: `pulumi destroy` (or a replacement) removes the resource from the stack's
 *   state but never deletes it in AWS: the bucket keeps every object, the key is never scheduled for
 *   deletion (which would make every object unreadable), and a retained bucket keeps its protections
 *   instead of being left without a public-access block or TLS-only policy.
 * - `protect: false`: protection would make `pulumi destroy -s lake` fail until someone runs
 *   `pulumi state unprotect`; retaining already guarantees that nothing is lost, so the permanent
 *   stack can still be removed from Pulumi cleanly. Set `protect` at the call site to require that step.
 */
export function retainedResourceOptions(opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { protect: false, ...opts, retainOnDelete: true };
}
