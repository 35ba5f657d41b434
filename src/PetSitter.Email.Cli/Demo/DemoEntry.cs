namespace PetSitter.Email.Cli.Demo;

/// <summary>One message of the demo as the report prints it (and as <c>--json</c> writes it).</summary>
internal sealed record DemoEntry(
    string Business,
    string Category,
    string Channel,
    string Status,
    string? FailureKind,
    bool Fallback,
    string? Location,
    string? DeferredUntil,
    string? Reason,
    string MessageId,
    string? Suppression);
