/** Not API: internal to channel-netty; may change in any release. */
package dev.backchannel.netty.internal.pipeline;
