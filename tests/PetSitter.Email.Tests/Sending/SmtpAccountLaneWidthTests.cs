using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Sending;

/// <summary>An account allowed a single connection: its lane is already at its cap, and a sign-in changes nothing.</summary>
public sealed class SmtpAccountLaneWidthTests
{
    [Fact]
    public async Task An_account_allowed_one_connection_keeps_one_send_at_a_time_after_signing_in()
    {
        var lanes = new SmtpAccountLanes(new FakeTimeProvider(), TimeSpan.FromSeconds(30));
        var first = await lanes.EnterAsync("mailbox", 1, CancellationToken.None);

        first.SignedIn();
        var second = lanes.EnterAsync("mailbox", 1, CancellationToken.None).AsTask();

        second.IsCompleted.Should().BeFalse("one connection means one send at the server");
        first.Dispose();
        (await second).Dispose();
        lanes.ActiveLanes.Should().Be(0);
    }
}
