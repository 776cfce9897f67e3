//! The final stage every compiled-language image shares: distroless, the binaries only, not
//! root.

/// A final stage on distroless `image` holding only the `binaries` the build stage made (their
/// paths there), in /usr/local/bin, run as distroless's `nonroot` user, `entry` the entry point.
pub(crate) fn distroless_stage(image: &str, binaries: &[String], entry: &str) -> String {
    format!(
        "# Final stage: no shell, no package manager, not root; only the binaries.\n\
         FROM {image}\n\
         COPY --from=build {} /usr/local/bin/\n\
         # distroless's `nonroot` user, by number: a name the host cannot resolve would not be\n\
         # checked against a runAsNonRoot policy.\n\
         USER 65532:65532\n\
         ENTRYPOINT [\"/usr/local/bin/{entry}\"]\n",
        binaries.join(" ")
    )
}
