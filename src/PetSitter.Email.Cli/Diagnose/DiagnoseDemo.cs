using PetSitter.Email.Cli.Demo;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>
/// <c>diagnose --demo</c>: the demo's emulated providers live inside this process, so the command starts
/// them itself and diagnoses two of its accounts side by side: one healthy, one whose stored password is
/// wrong. A separate <c>demo --serve</c> would have to keep a process running and print credentials for a
/// second terminal; this needs neither and runs the same code path as a real diagnosis.
/// </summary>
internal static class DiagnoseDemo
{
    private static readonly string[] Accounts = ["paws", "furfriends"];

    public static async Task<int> RunAsync(TextWriter output, bool json, DiagnosticOptions options, CancellationToken cancellationToken)
    {
        await using var world = await DemoWorld.StartAsync(cancellationToken).ConfigureAwait(false);

        // The accounts' From domains are answered by a zone the demo owns: never the real DNS.
        using var zone = DemoDnsZone.Start();
        options = new DiagnosticOptions
        {
            StepTimeout = options.StepTimeout,
            TestRecipient = options.TestRecipient,
            RecordedHealth = options.RecordedHealth,
            CheckSenderDomain = options.CheckSenderDomain,
            DnsTimeout = options.DnsTimeout,
            DnsServers = [zone.Endpoint],
        };
        var diagnostics = DiagnosticsService.Create();
        var results = new List<(DemoBusiness Business, DiagnosticReport Report)>();
        foreach (var id in Accounts)
        {
            var business = world.Businesses.Single(b => b.Id == id);
            var report = await diagnostics.RunAsync(business.Settings.Smtp!, options, cancellationToken).ConfigureAwait(false);
            results.Add((business, report));
        }

        if (json)
        {
            DiagnoseOutput.WriteJson(output, new
            {
                accounts = results.Select(r => new { business = r.Business.Id, situation = r.Business.Situation, report = DiagnoseOutput.Document(r.Report) }),
            });
        }
        else
        {
            WriteSideBySide(output, results);
        }

        // The demo shows a failing account on purpose: it ran as meant, so it exits 0.
        return DiagnoseCommand.Healthy;
    }

    private static void WriteSideBySide(TextWriter output, List<(DemoBusiness Business, DiagnosticReport Report)> results)
    {
        output.WriteLine("SMTP diagnosis of the demo's emulated accounts (in-process servers on 127.0.0.1), side by side:");
        output.WriteLine();
        foreach (var (business, report) in results)
        {
            output.WriteLine($"  {business.Id,-11} {business.Name}: {business.Situation} ({report.Host}:{report.Port}, user {business.Settings.Smtp!.UserName})");
        }

        output.WriteLine();
        var questionWidth = results[0].Report.Findings.Max(f => f.Question.Length);
        var columns = results.Select(r => r.Business.Id).ToList();
        var columnWidth = Math.Max(columns.Max(c => c.Length), 24);
        output.WriteLine($"{"Question".PadRight(questionWidth)}  {string.Join("  ", columns.Select(c => c.PadRight(columnWidth)))}".TrimEnd());
        foreach (var check in Enum.GetValues<DiagnosticCheck>())
        {
            var cells = results.Select(r => Cell(r.Report[check]).PadRight(columnWidth));
            output.WriteLine($"{results[0].Report[check].Question.PadRight(questionWidth)}  {string.Join("  ", cells)}".TrimEnd());
        }

        var verdicts = results.Select(r => (r.Report.IsHealthy ? "HEALTHY" : "PROBLEM FOUND").PadRight(columnWidth));
        output.WriteLine($"{"Verdict".PadRight(questionWidth)}  {string.Join("  ", verdicts)}".TrimEnd());

        foreach (var (business, report) in results)
        {
            output.WriteLine();
            output.WriteLine($"---- {business.Id}: {business.Name}");
            DiagnoseOutput.WriteAnswers(output, report);
            output.WriteLine(DiagnoseOutput.Verdict(report));
        }
    }

    private static string Cell(DiagnosticFinding finding) =>
        finding.FailureKind is { } kind && finding.Status is DiagnosticStatus.Fail or DiagnosticStatus.Warning
            ? $"{DiagnoseOutput.Label(finding.Status)} {kind}"
            : DiagnoseOutput.Label(finding.Status);
}
