package dev.modelsync.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one replica measured of a rollout: for a shadow, how far the candidate's answers are from
 * the served version's on the same requests; for a canary, both versions' error rates and p99
 * latency in the current step. Fields that do not apply are null.
 *
 * @param policy {@code shadow} or {@code canary}
 * @param baseline the version served meanwhile
 * @param share for a canary: the candidate's share of requests in percent; else null
 * @param requests requests the candidate ran (shadow copies, or canary requests in this step)
 * @param dropped shadow copies dropped because the candidate was busy
 * @param maxAbs largest absolute difference of an output value
 * @param meanAbs mean absolute difference over all compared output values
 * @param divergentShare share of rows with a value beyond the tolerance (0..1)
 * @param candidateP99Ms the candidate's p99 latency in milliseconds
 * @param candidateErrorRate the candidate's share of requests answered with a server error
 * @param baselineRequests canary: requests the served version answered in this step
 * @param baselineErrorRate canary: the served version's error rate in this step
 * @param baselineP99Ms canary: the served version's p99 latency in this step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutMeasures(
    String policy,
    long baseline,
    Integer share,
    long requests,
    Long dropped,
    Double maxAbs,
    Double meanAbs,
    Double divergentShare,
    Double candidateP99Ms,
    Double candidateErrorRate,
    Long baselineRequests,
    Double baselineErrorRate,
    Double baselineP99Ms) {}
