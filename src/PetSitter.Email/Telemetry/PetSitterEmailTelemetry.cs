namespace PetSitter.Email;

/// <summary>
/// The names under which PetSitter.Email publishes its metrics and traces, for an app's OpenTelemetry
/// setup (<c>AddMeter</c>, <c>AddSource</c>). See docs/observability.md for every instrument and attribute.
/// </summary>
public static class PetSitterEmailTelemetry
{
    /// <summary>The name of the library's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>PetSitter.Email</c>.</summary>
    public const string MeterName = "PetSitter.Email";

    /// <summary>The name of the library's <see cref="System.Diagnostics.ActivitySource"/>: <c>PetSitter.Email</c>.</summary>
    public const string ActivitySourceName = "PetSitter.Email";
}
