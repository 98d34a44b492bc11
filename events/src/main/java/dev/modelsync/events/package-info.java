/**
 * The contract between the agent, every api replica and anyone who subscribes: topic names, event
 * types, the data each event carries, and the CloudEvents 1.0 codec (structured JSON mode) used on
 * the wire. JSON Schemas for each event's data and an AsyncAPI document describing both topics are
 * resources of this module under {@code schemas/} and {@code asyncapi.yaml}.
 */
package dev.modelsync.events;
