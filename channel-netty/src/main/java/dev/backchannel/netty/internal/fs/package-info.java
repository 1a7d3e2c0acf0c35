/** Not API: internal to channel-netty; may change in any release. Owner-only files on disk. */
package dev.backchannel.netty.internal.fs;
