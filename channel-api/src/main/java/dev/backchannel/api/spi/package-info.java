/**
 * Service-provider interfaces: storage that Backchannel components use and that deployments may
 * replace (for example {@link dev.backchannel.api.spi.MailboxStore}, the relay's durable store).
 * JDK types only.
 */
package dev.backchannel.api.spi;
