using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// The attempt timeout the channel runs each SMTP attempt under: it fires on the library's clock, tells a timeout from
/// the caller's cancellation, and on the system clock reuses a source only when nothing can still cancel it.
/// </summary>
public sealed class SmtpAttemptTimeoutTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_attempt_times_out_when_the_timeout_elapses_on_the_librarys_clock()
    {
        var clock = new FakeTimeProvider();
        var timeout = new SmtpAttemptTimeout(Limit, clock);

        using var attempt = timeout.Start(CancellationToken.None);
        clock.Advance(Limit - TimeSpan.FromMilliseconds(1));
        attempt.Token.IsCancellationRequested.Should().BeFalse("the attempt still has a millisecond");
        clock.Advance(TimeSpan.FromMilliseconds(1));

        attempt.Token.IsCancellationRequested.Should().BeTrue();
        attempt.HasTimedOut.Should().BeTrue();
    }

    [Fact]
    public void The_callers_cancellation_cancels_the_attempt_and_is_not_called_a_timeout()
    {
        var timeout = new SmtpAttemptTimeout(Limit, new FakeTimeProvider());
        using var caller = new CancellationTokenSource();

        using var attempt = timeout.Start(caller.Token);
        caller.Cancel();

        attempt.Token.IsCancellationRequested.Should().BeTrue();
        attempt.HasTimedOut.Should().BeFalse("the caller cancelled: the send is the caller's to abandon, not a failure to retry");
    }

    [Fact]
    public void A_caller_already_cancelled_starts_a_cancelled_attempt()
    {
        var timeout = new SmtpAttemptTimeout(Limit, TimeProvider.System);

        using var attempt = timeout.Start(new CancellationToken(canceled: true));

        attempt.Token.IsCancellationRequested.Should().BeTrue();
        attempt.HasTimedOut.Should().BeFalse();
    }

    [Fact]
    public void On_the_system_clock_a_finished_attempts_source_serves_the_next_attempt()
    {
        var timeout = new SmtpAttemptTimeout(Limit, TimeProvider.System);
        using var caller = new CancellationTokenSource();

        CancellationToken first;
        using (var attempt = timeout.Start(caller.Token))
        {
            first = attempt.Token;
        }

        using var next = timeout.Start(CancellationToken.None);
        next.Token.Should().Be(first, "a source that was never cancelled is reset and reused, so an attempt allocates none");

        caller.Cancel();
        next.Token.IsCancellationRequested.Should().BeFalse("the first attempt's caller was unlinked when its attempt ended");
    }

    [Fact]
    public void A_cancelled_source_is_never_handed_to_another_attempt()
    {
        var timeout = new SmtpAttemptTimeout(Limit, TimeProvider.System);
        using var caller = new CancellationTokenSource();

        CancellationToken cancelled;
        using (var attempt = timeout.Start(caller.Token))
        {
            caller.Cancel();
            cancelled = attempt.Token;
        }

        using var next = timeout.Start(CancellationToken.None);
        next.Token.Should().NotBe(cancelled);
        next.Token.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void A_timed_out_attempts_failure_is_retried_and_says_what_happened()
    {
        var timeout = new SmtpAttemptTimeout(Limit, TimeProvider.System);

        var failure = timeout.TimedOut();

        SmtpRetryPipeline.IsWorthRetrying(failure, SmtpFailureClassifier.Classify(failure)).Should().BeTrue("Polly's retry strategy retries it");
        failure.Stage.Should().Be(SmtpStage.Connect, "a timed-out attempt never had the verdict for its message: not sent");
        failure.Reply.Should().Be("The send did not finish within the attempt timeout (00:00:30).");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_timeout_that_is_not_positive_is_refused(int seconds)
    {
        var create = () => new SmtpAttemptTimeout(TimeSpan.FromSeconds(seconds), TimeProvider.System);

        create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
    }
}
