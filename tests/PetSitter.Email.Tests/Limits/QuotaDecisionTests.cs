namespace PetSitter.Email.Tests.Limits;

public class QuotaDecisionTests
{
    [Fact]
    public void An_allowing_decision_names_no_window_and_no_wait()
    {
        var allowed = QuotaDecision.Allow();

        allowed.IsAllowed.Should().BeTrue();
        allowed.Window.Should().Be(LimitWindow.None);
        allowed.RetryAfter.Should().Be(TimeSpan.Zero);
        allowed.Should().Be(default(QuotaDecision));
        allowed.ToString().Should().Be("allowed");
    }

    [Fact]
    public void A_refusal_carries_its_window_and_retry_after_as_values()
    {
        var refused = QuotaDecision.Refuse(LimitWindow.MessagesPerDay, TimeSpan.FromHours(3));

        refused.IsAllowed.Should().BeFalse();
        refused.CanRetry.Should().BeTrue();
        refused.Should().Be(QuotaDecision.Refuse(LimitWindow.MessagesPerDay, TimeSpan.FromHours(3)));
        (refused != QuotaDecision.Refuse(LimitWindow.MessagesPerDay, TimeSpan.FromHours(2))).Should().BeTrue();
        refused.ToString().Should().Be("refused by MessagesPerDay, retry after 03:00:00");
    }

    [Fact]
    public void Only_too_many_recipients_cannot_be_retried() =>
        QuotaDecision.Refuse(LimitWindow.RecipientsPerMessage, TimeSpan.Zero).CanRetry.Should().BeFalse();

    [Fact]
    public void Too_many_recipients_is_described_without_a_retry_time() =>
        QuotaDecision.Refuse(LimitWindow.RecipientsPerMessage, TimeSpan.Zero).ToString().Should().Be("refused: too many recipients for one message");

    [Theory]
    [InlineData(LimitWindow.None)]
    [InlineData((LimitWindow)42)]
    public void A_refusal_must_name_a_real_window(LimitWindow window) =>
        FluentActions.Invoking(() => QuotaDecision.Refuse(window, TimeSpan.FromSeconds(1))).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void A_refusal_cannot_wait_a_negative_time() =>
        FluentActions.Invoking(() => QuotaDecision.Refuse(LimitWindow.MessagesPerHour, TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
}
