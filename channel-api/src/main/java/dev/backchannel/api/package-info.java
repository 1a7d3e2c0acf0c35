/**
 * The application-facing API of Backchannel: values such as {@link dev.backchannel.api.SafetyNumber}
 * that an embedding application handles. This package depends on the JDK only.
 */
package dev.backchannel.api;
