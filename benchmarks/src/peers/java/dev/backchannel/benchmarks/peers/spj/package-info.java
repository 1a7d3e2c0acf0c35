/**
 * {@code signal-protocol-java} (GPL-3.0) behind JDK-only types, loaded by
 * {@code IsolatedSignalProtocolJava} in a class loader of its own, together with the
 * protobuf-javalite 3.10 runtime its generated code was built for (jars in
 * {@code benchmarks/target/peers-spj/}). The benchmarks' class path has protobuf-java 4.x
 * (Backchannel's own wire format), on which signal-protocol-java's protobuf-lite 3.10 generated
 * classes fail ({@code MessageSchema.newSchemaForRawMessageInfo} throws), and both runtimes are
 * the same {@code com.google.protobuf} classes, so they cannot share one class loader. Nothing
 * here may name a class outside the JDK and signal-protocol-java. Compiled only in the
 * {@code -Ppeers} Maven profile.
 */
package dev.backchannel.benchmarks.peers.spj;
