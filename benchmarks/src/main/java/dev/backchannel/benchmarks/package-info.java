/** JMH benchmarks of Backchannel, each beside its baseline measured in the same run. */
package dev.backchannel.benchmarks;
