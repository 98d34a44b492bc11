package dev.modelsync.config;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 client of a {@link BucketConfig}; the SDK is an optional dependency of this module: the
 * agent and the api, which use it, bring it.
 */
public final class BucketClients {
  private BucketClients() {}

  /**
   * A client with credentials from the SDK's default chain. Checksums only where an operation
   * requires one: the SDK's default trailing CRC checksums (since 2.30) are refused by many
   * S3-compatible stores, and every file is checked by its SHA-256 on the reading side anyway.
   */
  public static S3Client create(BucketConfig config) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(config.region()))
            .forcePathStyle(config.pathStyle())
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(3))
                    .socketTimeout(Duration.ofSeconds(30)));
    config.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }
}
