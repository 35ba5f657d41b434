namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The account's recorded health (<see cref="DiagnosticOptions.RecordedHealth"/>) beside what the live
/// check found: a recorded failure the live check no longer shows still holds the account until the
/// library retries it.
/// </summary>
internal sealed class HealthAnnotator : IDiagnosticAnnotator
{
    public void Annotate(DiagnosticContext context)
    {
        if (context.Options.RecordedHealth is not { State: not AccountHealthState.Healthy, Kind: { } kind } health)
        {
            return;
        }

        var check = DiagnosticQuestions.CheckFor(kind);
        var since = health.Since is { } at ? $" since {DiagnosticText.Utc(at)}" : string.Empty;
        var summary = health.State == AccountHealthState.Throttled
            ? $"The library has held this account{since}: the provider reported a sending limit reached{(health.Until is { } until ? $"; sending through the account resumes at {DiagnosticText.Utc(until)}" : string.Empty)}."
            : $"The library has recorded this account failing ({kind}){since}{(health.Until is { } next ? $"; it tries the account again at {DiagnosticText.Utc(next)}" : string.Empty)}.";

        var liveFailed = context.Findings.StatusOf(check) == DiagnosticStatus.Fail;
        var advice = liveFailed ? health.Advice : health.Advice is null ? null : $"{health.Advice} The live check now passes this question: sending resumes when the library next tries the account.";
        context.Findings.Add(check, DiagnosticStatus.Warning, summary, kind, health.LastReply, advice);
    }
}
