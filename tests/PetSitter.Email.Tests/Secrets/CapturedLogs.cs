using System.Collections.Concurrent;

namespace PetSitter.Email.Tests.Secrets;

/// <summary>
/// What one test logged, as far as secrets go: each entry is scanned when it is written, and only the
/// finds are kept (a soak test writes thousands of entries). A test's entries are told apart from those
/// of tests running beside it by the async flow: the hook opens a capture before the test method, and
/// everything the test (and work it starts) logs lands in it.
/// </summary>
internal sealed class CapturedLogs
{
    private static readonly AsyncLocal<CapturedLogs?> CurrentCapture = new();
    private static readonly ConcurrentQueue<SecretFinding> Unattributed = new();

    private readonly ConcurrentQueue<SecretFinding> _findings = new();
    private int _entries;

    /// <summary>Gets the capture of the test running in this flow, or <see langword="null"/> outside one.</summary>
    public static CapturedLogs? Current => CurrentCapture.Value;

    public int Entries => Volatile.Read(ref _entries);

    public IReadOnlyCollection<SecretFinding> Findings => _findings;

    public static CapturedLogs Begin()
    {
        var capture = new CapturedLogs();
        CurrentCapture.Value = capture;
        return capture;
    }

    public static void End() => CurrentCapture.Value = null;

    /// <summary>Finds logged by work outside any test's flow (a timer started by a static): whoever ends next reports them.</summary>
    public static IReadOnlyList<SecretFinding> TakeUnattributed()
    {
        var taken = new List<SecretFinding>();
        while (Unattributed.TryDequeue(out var finding))
        {
            taken.Add(finding);
        }

        return taken;
    }

    /// <summary>Scans one piece of logged text (a formatted message, a state value, an exception, a scope).</summary>
    public static void Record(string category, string part, string? text)
    {
        var capture = Current;
        if (capture is not null)
        {
            Interlocked.Increment(ref capture._entries);
        }

        foreach (var secret in SecretScanner.Find(text))
        {
            var finding = new SecretFinding(category, part, secret);
            if (capture is null)
            {
                Unattributed.Enqueue(finding);
            }
            else
            {
                capture._findings.Enqueue(finding);
            }
        }
    }
}
