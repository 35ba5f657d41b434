using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// What the steps and annotators of one diagnosis share: the account and its endpoint, the provider as
/// recognised so far, the findings and step lines gathered, and why the questions left open were not checked.
/// </summary>
internal sealed class DiagnosticContext
{
    private readonly List<string> _steps = [];
    private readonly ILogger _logger;

    public DiagnosticContext(SmtpAccountSettings account, DiagnosticOptions options, ILogger logger)
    {
        Account = account;
        Options = options;
        _logger = logger;
        Host = account.Host.Trim();
        Port = account.Port;
        Endpoint = $"{Host}:{Port}";
        Security = account.EffectiveSecurity;
        Detection = KnownSmtpProviders.Detect(Host, account.Provider);
        Requirements = ProviderRequirements.For(Detection.Provider);
    }

    public SmtpAccountSettings Account { get; }

    public DiagnosticOptions Options { get; }

    public string Host { get; }

    public int Port { get; }

    public string Endpoint { get; }

    public SmtpSecurity Security { get; }

    public ProviderDetection Detection { get; private set; }

    public ProviderRequirements? Requirements { get; private set; }

    public DiagnosticFindingBuilder Findings { get; } = new();

    /// <summary>Gets the steps taken, one line each.</summary>
    public IReadOnlyList<string> Steps => _steps;

    /// <summary>Gets or sets the security mode the report suggests instead of the configured one.</summary>
    public SmtpSecurity? SuggestedSecurity { get; set; }

    /// <summary>Gets or sets whether the server answered MAIL FROM for the From address.</summary>
    public bool SenderChecked { get; set; }

    /// <summary>Gets or sets the From domain whose DNS records were checked.</summary>
    public string? SenderDomain { get; set; }

    /// <summary>Gets or sets what the From domain's SPF, DKIM and DMARC records say.</summary>
    public IReadOnlyList<SenderDomainFinding> SenderDomainFindings { get; set; } = [];

    public string NotCheckedBecause { get; private set; } = "the diagnosis did not get this far";

    public bool HasUserName => !string.IsNullOrEmpty(Account.UserName);

    /// <summary>Gets the step timeout as MailKit's socket timeout.</summary>
    public int TimeoutMilliseconds => (int)Math.Min(int.MaxValue, Options.StepTimeout.TotalMilliseconds);

    private string? Banner { get; set; }

    /// <summary>Records a step on one line: multi-line replies are joined with " / ".</summary>
    public void AddStep(string text) => _steps.Add(text.ReplaceLineEndings(" / "));

    /// <summary>Records a failure under the question its kind answers, with its evidence and advice.</summary>
    public void AddFailure(string step, SmtpFailure failure, string summary, string? suggestion = null, DiagnosticStatus status = DiagnosticStatus.Fail)
    {
        DiagnosticsLog.StepFailed(_logger, Endpoint, step, failure.Stage, failure.Kind);
        var advice = suggestion is null ? failure.Advice : $"{failure.Advice} {suggestion}";
        Findings.Add(DiagnosticQuestions.CheckFor(failure.Kind), status, summary, failure.Kind, DiagnosticText.Evidence(failure), advice, failure.RequiredAction);
    }

    /// <summary>Ends the conversation: the questions still open are reported as not checked, for <paramref name="reason"/>.</summary>
    public void Stop(string reason) => NotCheckedBecause = reason;

    /// <summary>Classifies with the sending path's own classifier, so the kind and advice are the ones an owner would get.</summary>
    public SmtpFailure Classify(SmtpTransportException exception)
    {
        exception.ServerBanner ??= Banner;
        return SmtpFailureClassifier.Classify(exception, Host, Account.Provider);
    }

    /// <summary>Translates what MailKit threw during a step the way the transport does, then classifies it.</summary>
    public SmtpFailure Classify(Exception exception, DiagnosticStep step, DiagnosticSession session) =>
        Classify(Translate(exception, step, session));

    public SmtpTransportException Translate(Exception exception, DiagnosticStep step, DiagnosticSession session) =>
        SmtpFailureTranslator.Translate(step.Explain(exception), session.Log.Tracker, session.Certificates.Validator, Endpoint, Options.StepTimeout);

    /// <summary>An owner's own host name says nothing: the server's greeting and EHLO may name the provider behind it.</summary>
    public void RecognizeProvider(string? banner)
    {
        Banner = banner;
        if (Detection.Provider != KnownSmtpProvider.Unknown)
        {
            return;
        }

        Detection = KnownSmtpProviders.Detect(Host, Account.Provider, banner);
        Requirements = ProviderRequirements.For(Detection.Provider);
        if (Requirements is { } provider)
        {
            AddStep($"Provider: {provider.Name}, recognised because {Detection.Because}.");
        }
    }

    public string SuggestStartTls()
    {
        SuggestedSecurity = SmtpSecurity.StartTls;
        return $"The server offers STARTTLS on port {Port}: set Security to STARTTLS.";
    }

    /// <summary>Starts a step's own timeout on <paramref name="time"/>, linked to the caller's cancellation.</summary>
    public DiagnosticStep BeginStep(TimeProvider time, CancellationToken cancellationToken) =>
        new(time, Options.StepTimeout, cancellationToken);
}
