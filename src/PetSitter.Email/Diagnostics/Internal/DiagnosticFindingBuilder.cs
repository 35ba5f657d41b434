namespace PetSitter.Email.Diagnostics;

/// <summary>
/// Gathers what each step learned about each question, then makes one <see cref="DiagnosticFinding"/> per
/// question: the worst status wins and leads the summary; notes (facts that answer nothing on their own,
/// like a provider's published rules) are shown but never change the status.
/// </summary>
internal sealed class DiagnosticFindingBuilder
{
    private readonly Dictionary<DiagnosticCheck, List<Part>> _parts = Enum.GetValues<DiagnosticCheck>().ToDictionary(c => c, _ => new List<Part>());

    /// <summary>Records an answer (pass, warning, fail, or an explicit not-checked with its reason).</summary>
    public void Add(DiagnosticCheck check, DiagnosticStatus status, string summary, SmtpFailureKind? kind = null, string? reply = null, string? advice = null, RequiredAction action = RequiredAction.None) =>
        _parts[check].Add(new Part(status, summary, kind, reply, advice) { Action = action });

    /// <summary>Records a fact shown with the answer that does not change it.</summary>
    public void Note(DiagnosticCheck check, string summary, string? reply = null) =>
        _parts[check].Add(new Part(null, summary, null, reply, null));

    /// <summary>Gets the status recorded for <paramref name="check"/> so far, or <see langword="null"/> when none.</summary>
    public DiagnosticStatus? StatusOf(DiagnosticCheck check)
    {
        var rated = _parts[check].Where(p => p.Status is not null).ToList();
        return rated.Count == 0 ? null : rated.Max(p => p.Status);
    }

    /// <summary>Makes the findings; a question nothing answered is not checked, for <paramref name="notCheckedBecause"/>.</summary>
    public IEnumerable<DiagnosticFinding> Build(string notCheckedBecause)
    {
        foreach (var (check, parts) in _parts)
        {
            var rated = parts.Where(p => p.Status is not null).ToList();
            if (rated.Count == 0)
            {
                var notes = parts.Select(p => p.Summary).Prepend($"Not checked: {notCheckedBecause}.");
                yield return new DiagnosticFinding(check, DiagnosticStatus.NotChecked, string.Join(" ", notes), reply: parts.LastOrDefault(p => p.Reply is not null)?.Reply);
                continue;
            }

            var status = rated.Max(p => p.Status!.Value);
            var primary = rated.First(p => p.Status == status);

            // A failure is told alone (with the notes): "the server greeted" beside "the connection was lost"
            // only blurs it. A warning keeps what passed, which is its context.
            var ordered = parts.Where(p => p.Status == status)
                .Concat(parts.Where(p => p.Status != status && (p.Status is null || status != DiagnosticStatus.Fail)));
            var advice = parts.Where(p => p.Status == status && p.Advice is not null).Select(p => p.Advice!).Distinct(StringComparer.Ordinal);
            yield return new DiagnosticFinding(
                check,
                status,
                string.Join(" ", ordered.Select(p => p.Summary)),
                primary.Kind,
                primary.Reply ?? rated.LastOrDefault(p => p.Reply is not null)?.Reply,
                string.Join(" ", advice))
            {
                RequiredAction = primary.Action,
            };
        }
    }

    private sealed record Part(DiagnosticStatus? Status, string Summary, SmtpFailureKind? Kind, string? Reply, string? Advice)
    {
        public RequiredAction Action { get; init; }
    }
}
