using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>Writes a diagnosis as text (one line per question, then what to do, then the verdict) or as JSON.</summary>
internal static class DiagnoseOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,

        // Read in terminals and by scripts, never embedded in HTML: keep apostrophes and '+' readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON document for one report: the contract's fields first, then what else the report knows.</summary>
    public static object Document(DiagnosticReport report) => new
    {
        healthy = report.IsHealthy,
        findings = report.Findings.Select(f => new
        {
            check = f.Check.ToString(),
            status = f.Status.ToString(),
            failureKind = f.FailureKind?.ToString(),
            reply = f.Reply,
            advice = f.Advice,
            requiredAction = f.RequiredAction.ToString(),
            question = f.Question,
            summary = f.Summary,
        }),
        host = report.Host,
        port = report.Port,
        security = report.Security.ToString(),
        provider = report.Provider,
        providerBecause = report.ProviderBecause,
        suggestedSecurity = report.SuggestedSecurity?.ToString(),
        checkedAt = report.CheckedAt.ToString("O", CultureInfo.InvariantCulture),
        senderDomain = report.SenderDomain,
        senderDomainFindings = report.SenderDomainFindings.Select(f => new
        {
            record = f.Record.ToString(),
            status = f.Status.ToString(),
            summary = f.Summary,
            evidence = f.Evidence,
            advice = f.Advice,
        }),
        steps = report.Steps,
    };

    public static void WriteJson(TextWriter output, DiagnosticReport report) =>
        output.WriteLine(JsonSerializer.Serialize(Document(report), Json));

    public static void WriteJson(TextWriter output, object document) =>
        output.WriteLine(JsonSerializer.Serialize(document, Json));

    public static void WriteText(TextWriter output, DiagnosticReport report, SmtpAccountSettings account)
    {
        output.WriteLine($"SMTP diagnosis of {report.Host}:{report.Port} ({Mode(report.Security)}){(report.Provider is null ? string.Empty : $", {report.Provider}")}");
        if (report.ProviderBecause is { } because)
        {
            output.WriteLine($"  provider {report.Provider}: {because}");
        }

        output.WriteLine($"  user {account.UserName ?? "(none: no sign-in)"}, from {(string.IsNullOrEmpty(account.FromAddress) ? "(none: sender not checked)" : account.FromAddress)}");
        output.WriteLine();
        output.WriteLine("Steps:");
        foreach (var step in report.Steps)
        {
            output.WriteLine($"  {step}");
        }

        output.WriteLine();
        WriteAnswers(output, report);
        output.WriteLine();
        output.WriteLine(Verdict(report));
    }

    /// <summary>One line per question, then for each that is not a plain pass: the evidence and what to do.</summary>
    public static void WriteAnswers(TextWriter output, DiagnosticReport report)
    {
        foreach (var finding in report.Findings)
        {
            output.WriteLine($"{Label(finding.Status),-11}  {finding.Question}  {finding.Summary}");
        }

        WriteSenderDomain(output, report);
        var attention = report.Findings.Where(f => f.Status is DiagnosticStatus.Fail or DiagnosticStatus.Warning).ToList();
        if (attention.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("What to do:");
            foreach (var finding in attention)
            {
                output.WriteLine($"  {Label(finding.Status)}: {finding.Question}{(finding.FailureKind is { } kind ? $" ({kind})" : string.Empty)}");
                if (finding.Reply is not null)
                {
                    output.WriteLine($"    evidence: {finding.Reply.ReplaceLineEndings(" / ")}");
                }

                if (finding.Advice is not null)
                {
                    output.WriteLine($"    {finding.Advice}");
                }

                if (finding.RequiredAction != RequiredAction.None)
                {
                    output.WriteLine($"    required action: {finding.RequiredAction}");
                }
            }
        }

        if (report.SuggestedSecurity is { } suggested)
        {
            output.WriteLine();
            output.WriteLine($"Suggested security for port {report.Port}: {Mode(suggested)} (--security {Flag(suggested)}).");
        }
    }

    /// <summary>The From domain's records, one line each, with what to change in its DNS under each that needs it.</summary>
    public static void WriteSenderDomain(TextWriter output, DiagnosticReport report)
    {
        if (report.SenderDomain is not { } domain || report.SenderDomainFindings.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"The From domain {domain} in DNS:");
        foreach (var finding in report.SenderDomainFindings)
        {
            output.WriteLine($"  {Label(finding.Status),-11}  {finding.Record.ToString().ToUpperInvariant(),-5}  {finding.Summary}");
            if (finding.Status == DiagnosticStatus.Warning && finding.Evidence is not null)
            {
                output.WriteLine($"{string.Empty,20}published: {finding.Evidence}");
            }

            if (finding.Advice is not null)
            {
                output.WriteLine($"{string.Empty,20}fix: {finding.Advice}");
            }
        }
    }

    public static string Verdict(DiagnosticReport report)
    {
        if (report.IsHealthy)
        {
            var warnings = report.Findings.Count(f => f.Status == DiagnosticStatus.Warning);
            return warnings == 0
                ? "Verdict: HEALTHY: mail can go out through this account."
                : string.Create(CultureInfo.InvariantCulture, $"Verdict: HEALTHY: mail can go out through this account ({warnings} warning{(warnings == 1 ? string.Empty : "s")} above).");
        }

        var failed = report.Findings.Where(f => f.Status == DiagnosticStatus.Fail)
            .Select(f => f.FailureKind is { } kind ? $"{f.Question} ({kind})" : f.Question);
        return $"Verdict: PROBLEM FOUND: {string.Join("; ", failed)}";
    }

    public static string Label(DiagnosticStatus status) => status switch
    {
        DiagnosticStatus.Pass => "PASS",
        DiagnosticStatus.Warning => "WARNING",
        DiagnosticStatus.Fail => "FAIL",
        _ => "NOT CHECKED",
    };

    private static string Mode(SmtpSecurity security) => security switch
    {
        SmtpSecurity.ImplicitTls => "SSL/TLS",
        SmtpSecurity.StartTls => "STARTTLS",
        SmtpSecurity.None => "no encryption",
        _ => "auto",
    };

    private static string Flag(SmtpSecurity security) => security switch
    {
        SmtpSecurity.ImplicitTls => "ssl",
        SmtpSecurity.StartTls => "starttls",
        SmtpSecurity.None => "none",
        _ => "auto",
    };
}
