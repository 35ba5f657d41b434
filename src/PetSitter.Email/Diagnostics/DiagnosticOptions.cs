namespace PetSitter.Email;

/// <summary>How a diagnosis of an SMTP account runs.</summary>
public sealed class DiagnosticOptions
{
    /// <summary>The default <see cref="StepTimeout"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultStepTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets the longest any one step may take (name resolution, connecting, TLS and greeting, signing in,
    /// the sender check, the test message). A server that stays silent longer is reported as not answering.
    /// Default: 15 seconds.
    /// </summary>
    public TimeSpan StepTimeout { get; init; } = DefaultStepTimeout;

    /// <summary>
    /// Gets the address a real test message is sent to, or <see langword="null"/> to send nothing (the
    /// sender is checked with MAIL FROM, RCPT TO the From address itself, and then RSET). Default: <see langword="null"/>.
    /// </summary>
    public string? TestRecipient { get; init; }

    /// <summary>
    /// Gets the account's last recorded health (from <see cref="IAccountHealthMonitor.GetHealth"/>), shown
    /// beside what the live check found, or <see langword="null"/> when there is none. Default: <see langword="null"/>.
    /// </summary>
    public AccountHealth? RecordedHealth { get; init; }

    /// <summary>Checks the options and returns one message per problem; empty when they are usable.</summary>
    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (StepTimeout <= TimeSpan.Zero || StepTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{nameof(StepTimeout)} {StepTimeout} is out of range: use more than zero and at most 10 minutes.");
        }

        if (TestRecipient is not null && !EmailAddressRules.IsMailbox(TestRecipient))
        {
            errors.Add($"{nameof(TestRecipient)} '{TestRecipient}' is not an email address: give the address the test message should go to.");
        }

        return errors;
    }
}
