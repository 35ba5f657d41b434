using System.Diagnostics;

namespace PetSitter.Email.Tests.Failures;

/// <summary>
/// Replies come from servers the library does not control. Reading them must never take long, and must never
/// throw: the patterns carry no wall-clock timeout (one tripped under load and broke a send), so their cost
/// is bounded by their shape and by the input instead. A quadratic pattern would take minutes on these inputs; linear ones take milliseconds.
/// </summary>
public sealed class ReplyScanningTests
{
    private const int Length = 200_000;

    public static TheoryData<string, string> HostileReplies => new()
    {
        { "blanks after a reply code", "550" + new string(' ', Length) + "x" },
        { "blanks and tabs after a dash", "550-" + string.Concat(Enumerable.Repeat(" \t", Length / 2)) + "x" },
        { "digits and dots", string.Concat(Enumerable.Repeat("5.", Length / 2)) },
        { "many short lines", string.Concat(Enumerable.Repeat("550 \r\n", Length / 6)) },
        { "one long base64 run ending badly", new string('A', Length) + "===" },
        { "base64 runs", string.Concat(Enumerable.Repeat("QUFBQUFBQUFBQUFB ", Length / 17)) },
        { "AUTH with endless blanks", "AUTH " + new string(' ', Length) },
        { "AUTH words", string.Concat(Enumerable.Repeat("AUTH PLAIN ", Length / 11)) },
        { "Bearer words", string.Concat(Enumerable.Repeat("Bearer ", Length / 7)) },
    };

    [Theory]
    [MemberData(nameof(HostileReplies))]
    public void Hostile_replies_are_read_in_linear_time_without_throwing(string shape, string reply)
    {
        var clock = Stopwatch.StartNew();

        var failure = new SmtpTransportException(SmtpStage.MailFrom, 550, reply);
        SmtpFailureClassifier.Classify(failure, "mail.example");

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"reading a reply of {reply.Length:N0} characters ({shape}) must stay linear");
    }

    [Fact]
    public void The_code_is_found_in_the_first_lines_of_a_reply()
    {
        EnhancedStatusCodes.Find("550-5.4.5 Daily user sending limit exceeded.\n" + new string('x', 10_000)).Should().Be("5.4.5");
        EnhancedStatusCodes.Find(new string(' ', EnhancedStatusCodes.MaxSearched) + "5.4.5").Should().BeNull("only the start of a reply is searched");
    }
}
