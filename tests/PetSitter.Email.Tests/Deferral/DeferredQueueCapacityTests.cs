using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;
using PetSitter.Email.Tests.Secrets;
using PetSitter.Email.Tests.Telemetry;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>The in-memory deferred queue holds a bounded number of emails; one more ends failed, saying so, never dropped.</summary>
public sealed class DeferredQueueCapacityTests : IDisposable
{
    private const string Mailbox = "hello@paws.test";
    private const int Capacity = 3;

    private readonly FakeLogCollector _logs = new();
    private readonly MeterProbe _probe = new();

    [Fact]
    public async Task A_message_that_would_be_deferred_into_a_full_queue_fails_saying_so_and_is_logged()
    {
        // A wrong password (Gmail's reply) keeps the account's marketing waiting.
        await using var server = await ScriptedSmtpServer.StartAsync(new() { UserName = Mailbox, Password = TestSecrets.RightPassword });
        server.Script = context => context.Stage == SmtpStage.Authenticate ? ProviderReplies.Gmail.BadCredentials : null;
        await using var host = new EndToEndHost(Configure);
        host.Settings.Set(EndToEndHost.Business("paws", server.CreateAccountSettings(Mailbox, Mailbox, TestSecrets.OldPassword)));
        using var queued = new MetricCollector<int>(_probe.Factory, PetSitterEmailTelemetry.MeterName, "petsitter.email.deferred.queued");

        var outcomes = new List<SendOutcome>();
        for (var n = 1; n <= Capacity + 2; n++)
        {
            outcomes.Add(await host.SendAsync("paws", EmailCategory.Marketing, n));
        }

        outcomes.Take(Capacity).Should().OnlyContain(o => o.Status == SendStatus.Deferred);
        var refused = outcomes.Skip(Capacity).ToList();
        refused.Should().OnlyContain(o => o.Status == SendStatus.Failed && o.FailureKind == SmtpFailureKind.AuthenticationFailed);
        refused.Should().OnlyContain(o => o.Reason!.Contains($"deferred queue of this process is full ({Capacity} emails)", StringComparison.Ordinal));
        refused.Should().OnlyContain(o => !o.IsFallback, "marketing never goes native to make room");
        host.Native.SendAttempts.Should().Be(0);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(Capacity);
        _logs.GetSnapshot().Where(r => r.Id.Id == 1051).Should().HaveCount(2).And.OnlyContain(r => r.Level == LogLevel.Warning && r.Message.Contains("full (3 emails)", StringComparison.Ordinal));
        queued.RecordObservableInstruments();
        queued.LastMeasurement!.Value.Should().Be(Capacity);
        queued.LastMeasurement.Tags.Should().Contain(new KeyValuePair<string, object?>("petsitter.email.queue", "memory"));

        // The dispatcher's tries, still refused, put every held email back although the queue is full.
        host.Time.Advance(new AccountHealthOptions().CredentialProbeInterval);
        (await host.DispatchDueAsync()).Should().Be(Capacity);
        (await host.Queue.CountAsync(CancellationToken.None)).Should().Be(Capacity, "nothing held is dropped");
    }

    [Fact]
    public async Task The_queue_takes_back_what_it_handed_out_even_when_full()
    {
        var queue = new InMemoryDeferredEmailQueue(Microsoft.Extensions.Options.Options.Create(new FallbackPolicyOptions { MaxInMemoryDeferred = 2 }));
        var first = Deferred(Start);
        await queue.EnqueueAsync(first, CancellationToken.None);
        await queue.EnqueueAsync(Deferred(Start), CancellationToken.None);

        var act = () => queue.EnqueueAsync(Deferred(Start), CancellationToken.None).AsTask();
        (await act.Should().ThrowAsync<DeferredQueueFullException>()).Which.Capacity.Should().Be(2);

        var taken = await queue.TakeDueAsync(Start, 1, CancellationToken.None);
        await queue.EnqueueAsync(Deferred(Start), CancellationToken.None);

        // Full again (2), and the taken one comes back as it was (the app stopping) or after a try.
        await queue.EnqueueAsync(taken[0], CancellationToken.None);
        await queue.EnqueueAsync(taken[0].AfterAttempt(Start, Failure(SmtpFailureKind.AuthenticationFailed), accountFingerprint: null), CancellationToken.None);
        (await queue.CountAsync(CancellationToken.None)).Should().Be(4);
        await act.Should().ThrowAsync<DeferredQueueFullException>();
    }

    public void Dispose() => _probe.Dispose();

    private void Configure(IPetSitterEmailBuilder builder)
    {
        _probe.Register(builder);
        builder.Services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(_logs));
        builder.Services.Configure<FallbackPolicyOptions>(options => options.MaxInMemoryDeferred = Capacity);
    }
}
