namespace PetSitter.Email.Tests.Limits;

/// <summary>Accepted sends in time order, and the rolling-window invariants checked over them.</summary>
internal sealed class SendLog
{
    private readonly List<(DateTimeOffset At, int Recipients)> sends = [];

    public int Count => sends.Count;

    public void Add(DateTimeOffset at, int recipients) => sends.Add((at, recipients));

    public int CountIn(DateTimeOffset from, DateTimeOffset to) => sends.Count(send => send.At >= from && send.At < to);

    /// <summary>
    /// The most messages (or recipients) found in any closed window [t - span, t]: checking the windows
    /// that end at each send finds the maximum over every window, since a window's count only changes at a send.
    /// </summary>
    public int MaxInAnyWindow(TimeSpan span, bool countRecipients = false)
    {
        var max = 0;
        var inWindow = 0;
        var first = 0;
        for (var last = 0; last < sends.Count; last++)
        {
            inWindow += Weight(last, countRecipients);
            while (sends[first].At < sends[last].At - span)
            {
                inWindow -= Weight(first, countRecipients);
                first++;
            }

            max = Math.Max(max, inWindow);
        }

        return max;
    }

    public void ShouldRespect(SendLimits limits)
    {
        Check(limits.MessagesPerSecond, TimeSpan.FromSeconds(1), recipients: false);
        Check(limits.MessagesPerMinute, TimeSpan.FromMinutes(1), recipients: false);
        Check(limits.MessagesPerHour, TimeSpan.FromHours(1), recipients: false);
        Check(limits.MessagesPerDay, TimeSpan.FromDays(1), recipients: false);
        Check(limits.RecipientsPerDay, TimeSpan.FromDays(1), recipients: true);
        if (limits.RecipientsPerMessage is int perMessage && sends.Count > 0)
        {
            sends.Max(send => send.Recipients).Should().BeLessThanOrEqualTo(perMessage);
        }
    }

    private void Check(int? limit, TimeSpan span, bool recipients)
    {
        if (limit is int value)
        {
            MaxInAnyWindow(span, recipients).Should().BeLessThanOrEqualTo(value, "no {0} window may hold more than the limit", span);
        }
    }

    private int Weight(int index, bool countRecipients) => countRecipients ? sends[index].Recipients : 1;
}
