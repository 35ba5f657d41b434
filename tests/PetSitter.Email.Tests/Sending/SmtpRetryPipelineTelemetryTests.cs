using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PetSitter.Email.Tests.Support;
using Polly;

namespace PetSitter.Email.Tests.Sending;

/// <summary>
/// What the SMTP retry pipeline shows of itself: its retry strategy by the name docs/observability.md gives for Polly's
/// logs and meter (<c>transient-retry</c>), a timed-out attempt in the channel's own log, and retries spread by jitter.
/// </summary>
public sealed class SmtpRetryPipelineTelemetryTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    // Gmail's temporary refusal (/work/shared/providers.md, https://support.google.com/a/answer/3726730): retried.
    private static readonly SmtpTransportException Busy = new(SmtpStage.MailFrom, 421, "4.3.0 Temporary System Problem. Try again later");

    private readonly FakeLogCollector _logs = new();
    private readonly DelayRecordingClock _time = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_retry_is_reported_by_the_retry_strategys_documented_name()
    {
        using var events = new MetricCollector<int>(null, "Polly", "resilience.polly.strategy.events");
        var pipeline = Pipeline(maxRetryAttempts: 1);

        var failuresLeft = 1;
        var sending = pipeline.ExecuteAsync(_ => Interlocked.Decrement(ref failuresLeft) >= 0 ? throw Busy : ValueTask.FromResult(new DeliveryReceipt("smtp.paws.example:587")), CancellationToken.None).AsTask();
        (await _time.RetryDelays.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue("the first attempt failed and a retry is waiting");
        _time.Advance(TimeSpan.FromMinutes(1));
        await sending.WaitAsync(TimeSpan.FromSeconds(20));

        PollyRecords().Should().Contain(r => r.Message.Contains("'OnRetry'", StringComparison.Ordinal) && r.Message.Contains("/transient-retry'", StringComparison.Ordinal));
        events.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["event.name"], "OnRetry") && Equals(m.Tags["strategy.name"], "transient-retry"));
    }

    [Fact]
    public async Task A_timed_out_attempt_is_logged_by_the_channel_and_retried_under_the_retry_strategys_name()
    {
        using var events = new MetricCollector<int>(null, "Polly", "resilience.polly.strategy.events");
        var entered = new SemaphoreSlim(0);
        var attempts = 0;
        var smtp = Substitute.For<ISmtpTransport>();
        smtp.SendAsync(default!, default!, default).ReturnsForAnyArgs(async call =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                entered.Release();
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, call.Arg<CancellationToken>());
            }

            return new DeliveryReceipt("smtp.paws.example:587");
        });
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business(smtp: TestData.Account())));
        services.AddSingleton(smtp);
        services.AddPetSitterEmail(options =>
        {
            options.Retry.MaxRetryAttempts = 1;
            options.Retry.Delay = TimeSpan.FromSeconds(1);
            options.Retry.AttemptTimeout = AttemptTimeout;
        });
        await using var provider = services.BuildServiceProvider();

        var sending = provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, TestData.Message()));
        (await entered.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue("the first attempt reached the transport");
        _time.Advance(AttemptTimeout);
        (await _time.RetryDelays.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue("the timed-out attempt is retried");
        _time.Advance(TimeSpan.FromMinutes(1));
        var outcome = await sending.WaitAsync(TimeSpan.FromSeconds(20));

        outcome.Status.Should().Be(SendStatus.Sent);
        outcome.Channel.Should().Be(EmailChannel.Smtp);
        attempts.Should().Be(2);
        _logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1104)
            .Which.Should().Match<FakeLogRecord>(r => r.Level == LogLevel.Warning && r.Message.Contains("paws", StringComparison.Ordinal) && r.Message.Contains("attempt timeout (00:00:30)", StringComparison.Ordinal));
        PollyRecords().Should().Contain(r => r.Message.Contains("'OnRetry'", StringComparison.Ordinal)
            && r.Message.Contains("/transient-retry'", StringComparison.Ordinal)
            && r.Message.Contains("did not finish within the attempt timeout", StringComparison.Ordinal));
        events.GetMeasurementSnapshot().Should().Contain(m => Equals(m.Tags["event.name"], "OnRetry") && Equals(m.Tags["strategy.name"], "transient-retry"))
            .And.NotContain(m => Equals(m.Tags["event.name"], "OnTimeout"), "the attempt timeout is the channel's own, not a Polly strategy");
    }

    [Fact]
    public async Task Two_sends_refused_at_the_same_moment_are_not_retried_at_the_same_moment()
    {
        // Without jitter every send refused during a provider's hiccup would come back at exactly Delay, 2 x Delay, ...
        // all together. With it, two waits are equal only by a chance of the order of one in ten million.
        var pipeline = Pipeline(maxRetryAttempts: 1);
        var first = SendFailingOnce(pipeline);
        var second = SendFailingOnce(pipeline);
        (await _time.RetryDelays.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue();
        (await _time.RetryDelays.WaitAsync(TimeSpan.FromSeconds(20))).Should().BeTrue();

        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(20));

        var waits = _time.Waits.ToArray();
        waits.Should().HaveCount(2);
        waits[0].Should().NotBe(waits[1], "the retries are spread out, not aimed at the same instant");
    }

    private static Task<DeliveryReceipt> SendFailingOnce(ResiliencePipeline<DeliveryReceipt> pipeline)
    {
        var failuresLeft = 1;
        return pipeline.ExecuteAsync(_ => Interlocked.Decrement(ref failuresLeft) >= 0 ? throw Busy : ValueTask.FromResult(new DeliveryReceipt("smtp.paws.example:587")), CancellationToken.None).AsTask();
    }

    private ResiliencePipeline<DeliveryReceipt> Pipeline(int maxRetryAttempts)
    {
        var options = new PetSitterEmailOptions();
        options.Retry.MaxRetryAttempts = maxRetryAttempts;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.AttemptTimeout = AttemptTimeout;
        var loggers = new LoggerFactory([new FakeLoggerProvider(_logs)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        return new SmtpRetryPipeline(Options.Create(options), _time, loggers).Pipeline;
    }

    private IReadOnlyList<FakeLogRecord> PollyRecords() =>
        [.. _logs.GetSnapshot().Where(r => r.Category == "Polly")];

    /// <summary>A fake clock that notes the waits the pipeline starts other than its attempt timeout: the retries' delays.</summary>
    private sealed class DelayRecordingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public SemaphoreSlim RetryDelays { get; } = new(0);

        public ConcurrentQueue<TimeSpan> Waits { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan && dueTime != AttemptTimeout)
            {
                Waits.Enqueue(dueTime);
                RetryDelays.Release();
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
