/** Profiling helpers of the load generators. */
package dev.backchannel.benchmarks.profile;
