using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PetSitter.Email;

/// <summary>
/// Diagnoses an SMTP account against its real server with MailKit, step by step, and answers each
/// question of "What can go wrong with SMTP?" (see <see cref="ISmtpDiagnostics"/>).
/// </summary>
/// <remarks>
/// <para>Registered by <c>AddPetSitterEmail()</c> or, alone, <c>AddPetSitterEmailDiagnostics()</c>.</para>
/// <para>Nothing is sent unless <see cref="DiagnosticOptions.TestRecipient"/> is set: the From address is
/// checked with MAIL FROM, RCPT TO itself (servers such as Postfix judge the sender only there) and then
/// RSET. Signing in uses one password mechanism (PLAIN, else LOGIN), so a wrong password costs exactly one
/// failed login. Certificates are always validated; the only extra roots
/// trusted are the account's <see cref="SmtpAccountSettings.TrustedCertificateAuthorities"/>.</para>
/// <para>When the configured security mode fails in a way that suggests the wrong mode for the port, one
/// more connection tries the other mode, and the report suggests it (<see cref="DiagnosticReport.SuggestedSecurity"/>).</para>
/// </remarks>
internal sealed class SmtpDiagnostics : ISmtpDiagnostics
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISenderDomainCheck? _senderDomainCheck;

    /// <summary>Creates the service with the system clock and no logging.</summary>
    internal SmtpDiagnostics()
        : this(TimeProvider.System, NullLogger<SmtpDiagnostics>.Instance)
    {
    }

    /// <summary>Creates the service.</summary>
    /// <param name="timeProvider">The clock for step timeouts and the report's times.</param>
    /// <param name="logger">Where steps that fail are logged (endpoints and kinds only, never addresses or secrets).</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public SmtpDiagnostics(TimeProvider timeProvider, ILogger<SmtpDiagnostics> logger)
        : this(timeProvider, logger, [])
    {
    }

    /// <summary>Creates the service with the app's DNS check of the From domain.</summary>
    /// <param name="timeProvider">The clock for step timeouts and the report's times.</param>
    /// <param name="logger">Where steps that fail are logged (endpoints and kinds only, never addresses or secrets).</param>
    /// <param name="senderDomainChecks">The registered checks of the From domain's DNS records; the last one registered is used, and with none the records are reported as not checked.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public SmtpDiagnostics(TimeProvider timeProvider, ILogger<SmtpDiagnostics> logger, IEnumerable<ISenderDomainCheck> senderDomainChecks)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(senderDomainChecks);
        _time = timeProvider;
        _logger = logger;
        _senderDomainCheck = senderDomainChecks.LastOrDefault();
    }

    /// <summary>Gets how host names are resolved; tests point provider host names at a loopback server.</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> ResolveHost { get; init; } = Dns.GetHostAddressesAsync;

    /// <inheritdoc />
    public Task<DiagnosticReport> RunAsync(SmtpAccountSettings account, DiagnosticOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        options ??= new DiagnosticOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new DiagnosticRun(account, options, _time, _logger, ResolveHost, _senderDomainCheck).RunAsync(cancellationToken);
    }
}
