using System.Collections.Concurrent;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// Every password and token the tests hand to the library, by name. The log scan after each test looks
/// for these (and for them inside base64, as AUTH PLAIN carries them), and reports a find by the
/// secret's name, never its value.
/// </summary>
/// <remarks>
/// A secret shorter than <see cref="MinimumLength"/> cannot be told apart from ordinary text ("pw" is
/// inside "pwd" and in base64 noise), so tests do not use such passwords: take one of these instead.
/// </remarks>
internal static class TestSecrets
{
    public const int MinimumLength = 6;

    public const string OwnerPassword = "s3cret-Pa55word!";
    public const string AppPassword = "app-password";
    public const string OldPassword = "old-password-2023";
    public const string NewAppPassword = "new-app-password";
    public const string FleetOldPassword = "old-password";
    public const string CorrectedPassword = "n3w-Secret!";
    public const string RelayPassword = "relay-secret";
    public const string FirstPassword = "first-password";
    public const string SecondPassword = "second-password";
    public const string EchoedPassword = "hunter2-secret";
    public const string DiagnosticsPassword = "s3cr3t-Pa55word!";
    public const string TroubadorPassword = "Tr0ub4dor&3-horse";
    public const string AccessToken = "ya29.a0AfH6SMBx3Gq9ZkLw7pQ";
    public const string TransportPassword = "pw-Transport-7";
    public const string RightPassword = "right-password";
    public const string TelemetryPassword = "Pa55-word-n0t-for-logs";

    // The OAuth2 tests' access tokens (Google's "ya29." shape; the registry test finds every such literal).
    public const string PlainConnectionToken = "ya29.plain";
    public const string DiagnosticsFreshToken = "ya29.diagnose-fresh";
    public const string DiagnosticsStaleToken = "ya29.diagnose-stale";
    public const string FreshToken = "ya29.fresh-token-4f1c";
    public const string StaleToken = "ya29.stale-token-9a0b";
    public const string ServerToken = "ya29.only-this-one";
    public const string EndToEndStaleToken = "ya29.a0AfH6-stale-3c1d";
    public const string EndToEndFreshToken = "ya29.a0AfH6-fresh-77e2";
    public const string ExpiredToken = "ya29.expired";
    public const string RevokedToken = "ya29.also-revoked";
    public const string UnreadToken = "ya29.never-read-here";
    public const string ShortToken = "ya29.x";

    // The Redis tests' (they share this registry): account passwords and the one in a Redis connection string.
    public const string RedisAccountPassword = "s3cret-1";
    public const string RedisChangedPassword = "s3cret-2";
    public const string RedisServerPassword = "hunter2";

    private static readonly ConcurrentDictionary<string, string> Registered = new(StringComparer.Ordinal);

    static TestSecrets()
    {
        foreach (var field in typeof(TestSecrets).GetFields())
        {
            if (field.IsLiteral && field.FieldType == typeof(string))
            {
                Register(field.Name, (string)field.GetRawConstantValue()!);
            }
        }
    }

    /// <summary>Gets the registered secrets: value to name.</summary>
    public static IReadOnlyDictionary<string, string> All => Registered;

    /// <summary>Adds a secret a test makes up at run time (a generated password), so the scan looks for it too.</summary>
    public static string Register(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (value.Length < MinimumLength)
        {
            throw new ArgumentException($"Secret '{name}' is shorter than {MinimumLength} characters: the log scan could not tell it from ordinary text. Use a longer one.", nameof(value));
        }

        Registered.TryAdd(value, name);
        return value;
    }
}
