using System.Text.Json.Serialization;

namespace PetSitter.Email;

/// <summary>Source-generated JSON for what the stores keep in Redis: no reflection, stable field names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredFailure))]
[JsonSerializable(typeof(StoredDeferredEmail))]
[JsonSerializable(typeof(StoredDeadLetterInfo))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
