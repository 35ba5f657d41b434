using System.Collections.Concurrent;
using System.Net.Sockets;
using MimeKit;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Simmy.Outcomes;

namespace PetSitter.Email.Tests.Faults;

/// <summary>
/// Wraps the real transport in a Polly chaos pipeline: faults below the protocol (a reset, an I/O error, a
/// timeout) at the rate a <see cref="ChaosPlan"/> gives, as the transport would report them, and results
/// lost on the way back. Faults before delivery are injected by <c>AddChaosFault</c> (the server sees
/// nothing), a loss before the server kept the message by <c>AddChaosOutcome</c> (ditto), and a loss after
/// it by this class once the real send returned (the server has the message). Latency, when asked for, is
/// injected by <c>AddChaosLatency</c> on the library's clock.
/// </summary>
internal sealed class ChaosSmtpTransport : ISmtpTransport, IAsyncDisposable
{
    private static readonly ResiliencePropertyKey<ChaosFault> FaultKey = new("chaos-fault");
    private static readonly ResiliencePropertyKey<bool> LatencyKey = new("chaos-latency");

    private readonly ISmtpTransport _inner;
    private readonly ChaosPlan _plan;
    private readonly Func<string, int, bool> _slow;
    private readonly ResiliencePipeline<DeliveryReceipt> _pipeline;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ChaosFault, int> _injected = new();

    public ChaosSmtpTransport(ISmtpTransport inner, ChaosPlan plan, TimeProvider time, TimeSpan latency = default, Func<string, int, bool>? slow = null)
    {
        _inner = inner;
        _plan = plan;
        _slow = slow ?? ((_, _) => false);
        var builder = new ResiliencePipelineBuilder<DeliveryReceipt> { TimeProvider = time };
        if (latency > TimeSpan.Zero)
        {
            builder.AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                InjectionRate = 1.0,

                // Polly reports OnLatencyInjected after the delay: the generator is the last word before it.
                LatencyGenerator = args =>
                {
                    if (!args.Context.Properties.GetValue(LatencyKey, false))
                    {
                        return ValueTask.FromResult(TimeSpan.Zero);
                    }

                    LatencyInjected.TrySetResult();
                    return ValueTask.FromResult(latency);
                },
            });
        }

        builder
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRateGenerator = args => ValueTask.FromResult(IsBeforeDelivery(args.Context.Properties.GetValue(FaultKey, ChaosFault.None)) ? 1.0 : 0.0),
                FaultGenerator = args => ValueTask.FromResult<Exception?>(FaultOf(args.Context.Properties.GetValue(FaultKey, ChaosFault.None))),
            })
            .AddChaosOutcome(new ChaosOutcomeStrategyOptions<DeliveryReceipt>
            {
                InjectionRateGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(FaultKey, ChaosFault.None) == ChaosFault.LostBeforeTheServerKeptIt ? 1.0 : 0.0),
                OutcomeGenerator = _ => ValueTask.FromResult<Outcome<DeliveryReceipt>?>(Outcome.FromException<DeliveryReceipt>(LostAfterData())),
            });
        _pipeline = builder.Build();
    }

    /// <summary>Completes when the first latency is about to be injected: the test then moves the clock.</summary>
    public TaskCompletionSource LatencyInjected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyDictionary<ChaosFault, int> Injected => _injected;

    public async Task<DeliveryReceipt> SendAsync(SmtpAccountSettings account, MimeMessage message, CancellationToken cancellationToken)
    {
        var messageId = message.MessageId ?? string.Empty;
        var attempt = _attempts.AddOrUpdate(messageId, 1, static (_, n) => n + 1);
        var fault = _plan.FaultFor(messageId, attempt);
        if (fault != ChaosFault.None)
        {
            _injected.AddOrUpdate(fault, 1, static (_, n) => n + 1);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(FaultKey, fault);
        context.Properties.Set(LatencyKey, _slow(messageId, attempt));
        try
        {
            var receipt = await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<DeliveryReceipt>(state._inner.SendAsync(state.account, state.message, ctx.CancellationToken)),
                context,
                (_inner, account, message));
            return fault switch
            {
                ChaosFault.LostAfterTheServerKeptIt => throw LostAfterData(),
                ChaosFault.BareIoExceptionAfterDelivery => throw new IOException("Unable to read data from the transport connection: Connection reset by peer."),
                _ => receipt,
            };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_inner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    private static bool IsBeforeDelivery(ChaosFault fault) =>
        fault is ChaosFault.ResetBeforeDelivery or ChaosFault.IoErrorBeforeDelivery or ChaosFault.TimeoutBeforeDelivery;

    private static SmtpTransportException? FaultOf(ChaosFault fault) => fault switch
    {
        ChaosFault.ResetBeforeDelivery => new SmtpTransportException(
            SmtpStage.MailFrom, null, "The connection to smtp failed (Connection reset by peer).", new SocketException((int)SocketError.ConnectionReset)),
        ChaosFault.IoErrorBeforeDelivery => new SmtpTransportException(
            SmtpStage.Data, null, "The connection to smtp failed (Unable to write data to the transport connection).", new IOException("Unable to write data to the transport connection: Broken pipe.")),
        ChaosFault.TimeoutBeforeDelivery => new SmtpTransportException(
            SmtpStage.RcptTo, null, "No answer came from smtp within 30 s.", new TimeoutException("The operation has timed out.")),
        _ => null,
    };

    private static SmtpTransportException LostAfterData() => new(
        SmtpStage.AfterData,
        null,
        "The whole message was sent, then the connection to smtp failed before the server confirmed it: delivery is uncertain, so it must not be resent blindly.",
        new IOException("Unable to read data from the transport connection: Connection reset by peer."));
}
