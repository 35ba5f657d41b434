using System.Net;
using Microsoft.Extensions.Logging;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// One diagnosis of one account: checks the settings, then runs the steps in order (<see cref="ConnectStep"/>,
/// <see cref="SignInStep"/>, <see cref="SenderStep"/>), then lets the annotators add what the library knows
/// without the server. The first step that fails ends the conversation; questions it left open are
/// reported as not checked, with the reason.
/// </summary>
/// <remarks>
/// Failures go through the sending path's own pieces (<see cref="SmtpStageTracker"/>,
/// <see cref="SmtpFailureTranslator"/>, <see cref="SmtpFailureClassifier"/>), so the kind and advice shown
/// here are the ones the owner would get when an email fails.
/// </remarks>
internal sealed class DiagnosticRun
{
    // Order matters: the findings keep the order their parts were added in.
    private static readonly IDiagnosticAnnotator[] Annotators = [new LimitsAnnotator(), new ProviderAnnotator(), new HealthAnnotator()];

    private readonly DiagnosticContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolveHost;
    private readonly ISenderDomainCheck? _senderDomainCheck;

    public DiagnosticRun(SmtpAccountSettings account, DiagnosticOptions options, TimeProvider time, ILogger logger, Func<string, CancellationToken, Task<IPAddress[]>> resolveHost, ISenderDomainCheck? senderDomainCheck)
    {
        _senderDomainCheck = senderDomainCheck;
        _context = new DiagnosticContext(account, options, logger);
        _time = time;
        _logger = logger;
        _resolveHost = resolveHost;
    }

    public async Task<DiagnosticReport> RunAsync(CancellationToken cancellationToken)
    {
        var context = _context;
        var account = context.Account;
        var checkedAt = _time.GetUtcNow();
        DiagnosticsLog.Started(_logger, context.Endpoint);
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        if (!context.SenderChecked && !string.IsNullOrWhiteSpace(account.FromAddress) && context.Findings.StatusOf(DiagnosticCheck.Settings) is not null)
        {
            context.Findings.Note(DiagnosticCheck.Settings, $"The From address was not checked: {context.NotCheckedBecause}.");
        }

        await new SenderDomainStep(context, _senderDomainCheck, _time, _logger).RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var annotator in Annotators)
        {
            annotator.Annotate(context);
        }

        var named = account.Provider is null ? null : account.ResolvePreset()?.Name;
        var report = new DiagnosticReport(context.Host, context.Port, context.Security, context.Findings.Build(context.NotCheckedBecause))
        {
            Provider = named ?? context.Requirements?.Name,
            ProviderBecause = named is not null ? $"the account names its provider \"{account.Provider!.Trim()}\"" : context.Requirements is null ? null : context.Detection.Because,
            SuggestedSecurity = context.SuggestedSecurity,
            Steps = [.. context.Steps],
            SenderDomain = context.SenderDomain,
            SenderDomainFindings = context.SenderDomainFindings,
            CheckedAt = checkedAt,
        };
        var failed = report.Findings.Count(f => f.Status == DiagnosticStatus.Fail);
        var warnings = report.Findings.Count(f => f.Status == DiagnosticStatus.Warning);
        DiagnosticsLog.Finished(_logger, context.Endpoint, report.IsHealthy, failed, warnings);

        return report;
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!CheckSettings())
        {
            return;
        }

        var session = await new ConnectStep(_context, _time, _resolveHost).RunAsync(cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        await using (session.ConfigureAwait(false))
        {
            var sender = new SenderStep(_context, _time);
            var completed = await new SignInStep(_context, _time).RunAsync(session, cancellationToken).ConfigureAwait(false)
                && await sender.CheckFromAsync(session, cancellationToken).ConfigureAwait(false);
            if (completed)
            {
                await sender.SendTestMessageAsync(session, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool CheckSettings()
    {
        // No From address means "do not check the sender", not a broken account: the CLI allows leaving it out.
        var account = _context.Account;
        var fromMissing = string.IsNullOrWhiteSpace(account.FromAddress);
        var errors = account.Validate()
            .Where(e => !(fromMissing && e.StartsWith(nameof(SmtpAccountSettings.FromAddress) + " ", StringComparison.Ordinal)))
            .ToList();
        if (errors.Count == 0)
        {
            return true;
        }

        var failure = SmtpFailureClassifier.Misconfigured(errors);
        _context.AddStep($"Check the settings: {failure.Reply}");
        _context.AddFailure("settings", failure, "The settings cannot work as they are.");
        _context.Stop("the settings must be fixed first");
        return false;
    }
}
